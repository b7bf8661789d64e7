"""The open data's tables and their formats: CSV, Parquet (arro3) and one SQLite database
(stdlib sqlite3).

Parquet and SQLite hold exactly the CSV cells (`cell`: the same lists, JSON text and formula
guard), typed by the column's declared type, with an empty cell as NULL. Both are byte-identical
for the same records: rows in the tables' fixed order, no timestamps, and the database is built
in memory in one transaction and serialised (no VACUUM, no journal, no file dates).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from dataclasses import dataclass, field

from arro3.core import Array, DataType, Field, Schema
from arro3.core import Table as ArrowTable
from arro3.io import write_parquet

from pipeline_tracker.site import escape


@dataclass
class Column:
    """One CSV column as datapackage.json describes it. The type fixes the shape of every cell:
    `array` and `object` cells are JSON text; a list in a `string` column is joined with '; '."""

    name: str
    type: str
    description: str
    constraints: dict = field(default_factory=dict)

    def descriptor(self) -> dict:
        described: dict = {"name": self.name, "type": self.type, "description": self.description}
        if self.constraints:
            described["constraints"] = self.constraints
        if self.type == "string" and "enum" in self.constraints:
            # Data Package v2: a controlled vocabulary, the same values as the schema's enum.
            described["categories"] = list(self.constraints["enum"])
        return described


@dataclass
class Table:
    """One table of the open data, the same in every format: `<name>.csv`, `<name>.parquet`
    and a table of the SQLite database. `rows` hold record values (cells are made by `cell`)."""

    name: str  # the resource and file name; the SQLite table is the same with '_' for '-'
    description: str
    columns: list[Column]
    rows: list[dict]
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[tuple[list[str], str, list[str]]] = field(default_factory=list)
    files: bool = True  # published as CSV and Parquet too (False: only inside the database)

    @property
    def sql_name(self) -> str:
        return self.name.replace("-", "_")

    def cells(self) -> list[list[str | int | float]]:
        """Every row's cells as the CSV writes them (lists joined, JSON text, formula guard)."""
        json_columns = [(c.name, c.type in ("array", "object")) for c in self.columns]
        return [[cell(row.get(name), j) for name, j in json_columns] for row in self.rows]

    def schema(self) -> dict:
        described: dict = {"fields": [column.descriptor() for column in self.columns]}
        if self.primary_key:
            described["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            described["foreignKeys"] = [
                {"fields": list(fields), "reference": {"resource": resource, "fields": list(ref)}}
                for fields, resource, ref in self.foreign_keys
            ]
        return described


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets in locales whose list separator is ';' split an unquoted cell at each ';': what
# follows one is the start of a cell too (list values are joined with '; ').
_FORMULA_AFTER_SEMICOLON = re.compile(r"(;[ \t\r\n]*)(?=[=+\-@\t\r])")


def cell(value, as_json: bool = False) -> str | int | float:
    """A CSV cell: numbers as they are; a list joined with '; ' (JSON text in a JSON column);
    text with formula-starting characters neutralised."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if value is None or (as_json and not value):
        return ""
    if as_json:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    elif isinstance(value, (list, tuple)):
        text = "; ".join(escape.plain(v) for v in value)
    else:
        text = escape.plain(value)
    if ";" in text:
        text = _FORMULA_AFTER_SEMICOLON.sub(r"\1'", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def table_csv(table: Table) -> bytes:
    """A table as CSV: UTF-8 with a byte-order mark (without one, Excel reads the file in the
    locale's code page and shows Chinese names and typographic quotes as mojibake)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in table.columns])
    writer.writerows(table.cells())
    return out.getvalue().encode("utf-8-sig")


_ARROW_TYPES = {
    "string": DataType.string,
    "array": DataType.string,  # JSON text, as in the CSV
    "object": DataType.string,
    "number": DataType.float64,
    "integer": DataType.int64,
    "boolean": DataType.bool,
}
_SQL_TYPES = {"number": "REAL", "integer": "INTEGER", "boolean": "INTEGER"}  # else TEXT


def typed(value: str | float, column: Column) -> str | int | float | bool | None:
    """A CSV cell as the value of its column's type; None for an empty cell."""
    if value == "":
        return None
    if column.type == "number":
        return float(value)
    if column.type == "integer":
        return int(value)
    if column.type == "boolean":
        return value == "true"
    return str(value)


def typed_rows(table: Table) -> list[list]:
    return [
        [typed(value, column) for value, column in zip(row, table.columns, strict=True)]
        for row in table.cells()
    ]


def parquet_file(table: Table, meta: dict[str, str]) -> bytes:
    """One table as a Parquet file (snappy, which every Parquet reader decodes); `meta` (the data
    and format versions) goes into the Arrow schema's metadata (what pandas, pyarrow, polars and
    arro3 read back), and data_version also into the file's own key-value metadata (what any
    Parquet reader, e.g. DuckDB's parquet_kv_metadata, shows); each column's description into
    its field metadata. The writer keeps a key-value map of more than one key in no fixed order,
    so the file's own map holds the one key: the file stays byte-identical."""
    rows = typed_rows(table)
    arrays = [
        Array([row[i] for row in rows], type=_ARROW_TYPES[column.type]())
        for i, column in enumerate(table.columns)
    ]
    schema = Schema(
        [
            Field(
                column.name,
                _ARROW_TYPES[column.type](),
                nullable=True,
                metadata={"description": column.description},
            )
            for column in table.columns
        ],
        metadata=meta,
    )
    out = io.BytesIO()
    write_parquet(
        ArrowTable.from_arrays(arrays, schema=schema),
        out,
        compression="snappy",
        key_value_metadata={"data_version": meta["data_version"]},
    )
    return out.getvalue()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create(table: Table, sql_names: dict[str, str]) -> str:
    parts = [f"{_quoted(c.name)} {_SQL_TYPES.get(c.type, 'TEXT')}" for c in table.columns]
    if table.primary_key:
        parts.append(f"PRIMARY KEY ({', '.join(map(_quoted, table.primary_key))})")
    for fields, resource, ref in table.foreign_keys:
        parts.append(
            f"FOREIGN KEY ({', '.join(map(_quoted, fields))}) "
            f"REFERENCES {_quoted(sql_names[resource])} ({', '.join(map(_quoted, ref))})"
        )
    return f"CREATE TABLE {_quoted(table.sql_name)} (\n  " + ",\n  ".join(parts) + "\n)"


def sqlite_database(tables: list[Table], meta: dict[str, str], views: dict[str, str]) -> bytes:
    """Every table in one SQLite database, with its keys declared and a `meta` table (key,
    value); `views` (name → SELECT) answer the common questions. Tables are filled in order,
    referenced tables first, with foreign keys enforced, so a key that does not hold fails here."""
    sql_names = {table.name: table.sql_name for table in tables}
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("BEGIN")
        connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        for table in tables:
            connection.execute(_create(table, sql_names))
            marks = ", ".join("?" for _ in table.columns)
            connection.executemany(
                f"INSERT INTO {_quoted(table.sql_name)} VALUES ({marks})", typed_rows(table)
            )
        for name, select in views.items():
            connection.execute(f"CREATE VIEW {_quoted(name)} AS {select.strip()}")
        connection.execute("COMMIT")
        return connection.serialize()
    finally:
        connection.close()
