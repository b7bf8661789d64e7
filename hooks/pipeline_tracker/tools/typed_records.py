"""Write records/types.py: one TypedDict per record kind and per nested object, generated from schema/.

The model reads records through these types (Tracker.drug, .trial, .event, …), so mypy turns a
field renamed in the schema, or misspelt in code, into a type error instead of a silent blank on
a page. `pipeline-tracker typed` rewrites the file; tests/test_typed_records.py fails, naming that
command, when the file and the schemas disagree.
"""

from __future__ import annotations

from pathlib import Path

from pipeline_tracker.records.schemas import load_schemas, resolve

KIND_TYPES = {
    "drugs": "Drug",
    "targets": "Target",
    "companies": "Company",
    "indications": "Indication",
    "trials": "Trial",
    "events": "Event",
    "sources": "Source",
}
TARGET = Path(__file__).resolve().parents[1] / "records" / "types.py"
_HEADER = '''"""Typed views of records, generated from schema/ by `pipeline-tracker typed` (do not edit).

One TypedDict per record kind and per nested object; a key the schema requires is Required, the
others may be absent. Record.data is one of these (see Tracker.drug, .trial, .event, …). No
`from __future__ import annotations`, so Python knows the required keys at run time (a test
compares them with the schemas): each class comes after the classes of its fields.
"""

from typing import Any, Required, TypedDict
'''


def _camel(*parts: str) -> str:
    return "".join(p[:1].upper() + p[1:] for part in parts for p in part.split("_") if p)


def _singular(name: str) -> str:
    """The class name of a list's items: DrugCompanies → DrugCompany, TrialArms → TrialArm."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith(("ss", "us")):
        return name[:-1]
    return name


class _Writer:
    def __init__(self, schemas: dict[str, dict]):
        self.schemas = schemas
        self.classes: dict[str, str] = {}  # name → class text
        self.order: list[str] = []  # names as their classes are finished: fields' classes first

    def type_of(self, node: dict, doc: str, name: str) -> str:
        ref = node.get("$ref", "") if isinstance(node, dict) else ""
        if "/$defs/" in ref:  # a shared definition is one class, named after it
            name = _camel(ref.rsplit("/", 1)[-1])
        node, doc = resolve(node, doc, self.schemas)
        for key in ("oneOf", "anyOf"):
            if key in node:
                objects = sum(
                    1 for o in node[key] if resolve(o, doc, self.schemas)[0].get("type") == "object"
                )
                options = [
                    self.type_of(option, doc, name if objects == 1 else f"{name}{i}")
                    for i, option in enumerate(node[key])
                ]
                return " | ".join(dict.fromkeys(options))
        kind = node.get("type")
        if isinstance(kind, list):
            return " | ".join(
                dict.fromkeys(self.type_of({**node, "type": k}, doc, name) for k in kind)
            )
        if kind == "string":
            return "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "null":
            return "None"
        if kind == "array":
            return f"list[{self.type_of(node.get('items', {}), doc, _singular(name))}]"
        if kind == "object" and node.get("properties"):
            return self.typed_dict(node, doc, name)
        if kind == "object":
            extra = node.get("additionalProperties")
            value = self.type_of(extra, doc, name) if isinstance(extra, dict) else "Any"
            return f"dict[str, {value}]"
        return "Any"

    def typed_dict(self, node: dict, doc: str, name: str) -> str:
        if name in self.classes:
            return name
        self.classes[name] = ""  # reserve the name (and its place) before the fields' classes
        required = set(node.get("required", ()))
        lines = [f"class {name}(TypedDict, total=False):"]
        title = node.get("title")
        if title:
            lines.append(f'    """{title}"""')
            lines.append("")
        for key, sub in node["properties"].items():
            typed = self.type_of(sub, doc, _camel(name, key))
            lines.append(f"    {key}: {f'Required[{typed}]' if key in required else typed}")
        self.classes[name] = "\n".join(lines)
        self.order.append(name)
        return name


def generate(schema_folder: Path | None = None) -> str:
    """The text of records/types.py for the schemas in `schema_folder` (default: the package's)."""
    schemas = load_schemas(schema_folder) if schema_folder else load_schemas()
    writer = _Writer(schemas)
    for kind, name in KIND_TYPES.items():
        writer.typed_dict(schemas[kind], kind, name)
    body = "\n\n\n".join(writer.classes[name] for name in writer.order)
    return f"{_HEADER}\n\n{body}\n"


def run(check: bool = False) -> int:
    """`pipeline-tracker typed [--check]`: rewrite records/types.py, or say whether it is current."""
    text = generate()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if current == text:
        print("records/types.py matches the schemas")
        return 0
    if check:
        print("records/types.py is out of date: run `pipeline-tracker typed`")
        return 1
    TARGET.write_text(text, encoding="utf-8")
    print("records/types.py rewritten from the schemas")
    return 0
