"""The `pipeline-tracker` command: validate records (and more subcommands as they are added)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from pipeline_tracker.records.load import KINDS, records_dir
from pipeline_tracker.records.problems import format_problems
from pipeline_tracker.records.validate import load_and_check


def cmd_validate(args: argparse.Namespace) -> int:
    root = Path.cwd()
    if args.paths:
        from pipeline_tracker.records.validate import check_paths

        scope, problems = check_paths(records_dir(root), [Path(p) for p in args.paths], root)
        copies = [path for path in scope if "/archive/" in path]
        records: dict[str, dict] = {"in scope": dict.fromkeys(set(scope) - set(copies))}
    else:
        copies = []
        records, problems = load_and_check(records_dir(root), root)
    if problems:
        print(format_problems(problems, args.format))
        if args.format == "text":
            print(
                f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found.",
                file=sys.stderr,
            )
        return 1
    if args.format == "json":
        print("[]")
    else:
        count = sum(len(by_id) for by_id in records.values())
        checked = f"{count} record{'s' if count != 1 else ''}"
        if copies:
            checked += f" and {len(copies)} archived cop{'ies' if len(copies) != 1 else 'y'}"
        print(f"{checked} OK.", file=sys.stderr)
    return 0


# The synthetic-tree generator lives beside the benchmark, not in the package: a checkout has it.
SYNTH = Path(__file__).resolve().parents[2] / "benchmarks" / "synth.py"


def cmd_synth(args: argparse.Namespace) -> int:
    if not SYNTH.is_file():
        print(
            "synth: needs a checkout of the repository (it runs benchmarks/synth.py); "
            "an installed package does not carry it",
            file=sys.stderr,
        )
        return 1
    spec = importlib.util.spec_from_file_location("synth", SYNTH)
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    try:
        counts = synth.synthesize(args.drugs, Path(args.out), args.seed)
    except (ValueError, OSError) as error:
        print(f"synth: {error}", file=sys.stderr)
        return 2
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    print(f"wrote synthetic records to {args.out}: {summary}", file=sys.stderr)
    return 0


def cmd_fmt(args: argparse.Namespace) -> int:
    from pipeline_tracker.tools.fmt import run

    return run(args.paths, args.check, args.strip_comments)


def cmd_new(args: argparse.Namespace) -> int:
    from pipeline_tracker.tools.scaffold import run

    return run(args.kind, args.id)


def cmd_diff(args: argparse.Namespace) -> int:
    from pipeline_tracker.tools.diff import run

    return run(args.base, args.format == "markdown")


def cmd_changelog(args: argparse.Namespace) -> int:
    from pipeline_tracker.tools.diff import run_changelog

    return run_changelog(args.base, args.head, Path(args.out) if args.out else None)


def cmd_render(args: argparse.Namespace) -> int:
    from pipeline_tracker.mkdocs_adapter.standalone import render_tree
    from pipeline_tracker.records.problems import RecordsInvalid

    try:
        pages, static = render_tree(Path(args.out), Path(args.config_file), builder=args.builder)
    except RecordsInvalid as invalid:
        print(format_problems(invalid.problems), file=sys.stderr)
        return 1
    except (ValueError, OSError) as error:
        print(f"render: {error}", file=sys.stderr)
        return 2
    print(
        f"wrote {args.out}/mkdocs.yml and {args.out}/docs/ ({pages} pages, {static} static files)",
        file=sys.stderr,
    )
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    from pipeline_tracker.tools.preview import preview

    root = Path.cwd()
    site = Path(args.site_dir) if args.site_dir else None
    return preview(
        records_dir(root),
        [Path(p) for p in args.paths],
        Path(args.config_file),
        args.build_only,
        site,
        args.dev_addr,
    )


def cmd_import(args: argparse.Namespace) -> int:
    if args.registry == "drugsfda":
        from pipeline_tracker.tools import drugsfda

        return drugsfda.run(args.inputs, args.check)
    from pipeline_tracker.tools.ctgov import run

    return run(args.inputs, args.check, args.all, args.online)


def cmd_typed(args: argparse.Namespace) -> int:
    from pipeline_tracker.tools.typed_records import run

    return run(check=args.check)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pipeline-tracker", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check records/ (or $PIPELINE_TRACKER_RECORDS)")
    validate.add_argument("paths", nargs="*", help="record files to check (default: all)")
    validate.add_argument("--format", choices=["text", "github", "json"], default="text")
    validate.set_defaults(func=cmd_validate)
    synth = sub.add_parser(
        "synth", help="write a synthetic records tree (benchmarks; never data; needs a checkout)"
    )
    synth.add_argument("--drugs", type=int, required=True, help="number of drugs")
    synth.add_argument(
        "--out", required=True, help="folder to write (new, empty or an earlier synth)"
    )
    synth.add_argument("--seed", type=int, default=0, help="same seed, same bytes (default 0)")
    synth.set_defaults(func=cmd_synth)
    render = sub.add_parser("render", help="write the site as a plain MkDocs project (no hook)")
    render.add_argument("--out", required=True, help="folder for mkdocs.yml and docs/")
    render.add_argument("--config-file", default="mkdocs.yml", help="the site's mkdocs.yml")
    render.add_argument(
        "--builder",
        choices=["mkdocs", "zensical"],
        default="mkdocs",
        help="who builds it: links in pages are written the way that builder resolves them",
    )
    render.set_defaults(func=cmd_render)
    prev = sub.add_parser(
        "preview", help="serve only the touched records and the pages around them"
    )
    prev.add_argument("paths", nargs="+", help="record files you are editing")
    prev.add_argument("--config-file", default="mkdocs.yml", help="the site's mkdocs.yml")
    prev.add_argument(
        "--build-only", action="store_true", help="build the subset once, do not serve"
    )
    prev.add_argument(
        "--site-dir", help="with --build-only: where to build (default: a scratch folder)"
    )
    prev.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on")
    prev.set_defaults(func=cmd_preview)
    fmt = sub.add_parser("fmt", help="rewrite records in canonical form (--check: only list them)")
    fmt.add_argument("paths", nargs="*", help="record files or folders (default: all records)")
    fmt.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if any would change"
    )
    fmt.add_argument(
        "--strip-comments", action="store_true", help="drop YAML comments (else refused)"
    )
    fmt.set_defaults(func=cmd_fmt)
    new = sub.add_parser("new", help="start records/<kind>/<id>.yaml from the schema")
    new.add_argument("kind", choices=KINDS)
    new.add_argument("id", help="the record id, e.g. zanidatamab")
    new.set_defaults(func=cmd_new)
    diff = sub.add_parser("diff", help="what changed in the records since a git revision, in words")
    diff.add_argument(
        "base", nargs="?", help="git revision (default: origin/main if it exists, else HEAD)"
    )
    diff.add_argument("--format", choices=["text", "markdown"], default="text")
    diff.set_defaults(func=cmd_diff)
    changes = sub.add_parser(
        "changelog", help="a release's changelog (Markdown): records added, changed, removed"
    )
    changes.add_argument("base", help="git revision of the previous release, e.g. data-2026.11.21")
    changes.add_argument("--head", help="git revision of this release (default: the work tree)")
    changes.add_argument("--out", help="write the Markdown here instead of to stdout")
    changes.set_defaults(func=cmd_changelog)
    imp = sub.add_parser(
        "import",
        help="import records from a registry (ctgov: ClinicalTrials.gov; drugsfda: Drugs@FDA)",
    )
    imp_sub = imp.add_subparsers(dest="registry", required=True)
    ctgov = imp_sub.add_parser(
        "ctgov", help="a ClinicalTrials.gov API v2 study record (saved JSON file or NCT id)"
    )
    ctgov.add_argument("inputs", nargs="*", help="saved study records (.json) or NCT ids")
    ctgov.add_argument(
        "--check",
        action="store_true",
        help="change nothing; print each registry field that differs, exit 1 if any",
    )
    ctgov.add_argument(
        "--all",
        action="store_true",
        help="with --check: every trial with an NCT id, against its archived registry copy",
    )
    ctgov.add_argument(
        "--online", action="store_true", help="with --check --all: against the live registry"
    )
    ctgov.set_defaults(func=cmd_import)
    fda = imp_sub.add_parser(
        "drugsfda",
        help="Drugs@FDA approvals: a saved openFDA drug/drugsfda response, or an application "
        "number such as NDA021588",
    )
    fda.add_argument("inputs", nargs="*", help="saved responses (.json) or application numbers")
    fda.add_argument(
        "--check",
        action="store_true",
        help="change nothing; print what differs from the archived copy, exit 1 if anything",
    )
    fda.set_defaults(func=cmd_import)
    typed = sub.add_parser(
        "typed", help="rewrite records/types.py (typed records) from schema/ after a schema edit"
    )
    typed.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    typed.set_defaults(func=cmd_typed)
    return parser


# Commands that read or write the records tree; validate reports a wrong tree as a problem itself.
READS_RECORDS = ("fmt", "new", "diff", "changelog", "preview", "render")


def _bad_records_setting(command: str) -> str:
    """One line when $PIPELINE_TRACKER_RECORDS names no records folder ("" when it is fine)."""
    from pipeline_tracker.records.load import records_folder_problem

    env = os.environ.get("PIPELINE_TRACKER_RECORDS")
    if not env or command not in READS_RECORDS:
        return ""
    problem = records_folder_problem(Path(env), Path.cwd())
    if problem is None:
        return ""
    return f"{command}: {problem.path}: {problem.message} ({problem.hint})"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    bad = _bad_records_setting(args.command)
    if bad:
        print(bad, file=sys.stderr)
        return 1
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
