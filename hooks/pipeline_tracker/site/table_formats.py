"""The open data's tables and their formats: CSV, Parquet (arro3) and one SQLite database
(stdlib sqlite3), published gzip-compressed (`gzipped`).

Parquet and SQLite hold exactly the CSV cells (`cell`: the same lists, JSON text and formula
guard), typed by the column's declared type, with an empty cell as NULL. Both are byte-identical
for the same records: rows in the tables' fixed order, no timestamps, and the database is built
in memory in one transaction and serialised (no VACUUM, no journal, no file dates).
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
    # The database only: an INTEGER PRIMARY KEY of this name, first, holding the row's number
    # (1, 2, … in this order) for other tables to refer to. Not in the files: it holds within one
    # data version only.
    row_key: str = ""

    @property
    def sql_name(self) -> str:
        return self.name.replace("-", "_")

    @functools.cached_property
    def values(self) -> list[list]:
        """Every row's cells typed (table_formats.typed_rows), for Parquet and the database."""
        return typed_rows(self)

    def release(self) -> None:
        """Forget the rows once every format is written (a large tree's tables add up)."""
        self.rows = []
        self.__dict__.pop("cells", None)
        self.__dict__.pop("values", None)

    @functools.cached_property
    def cells(self) -> list[list[str | int | float]]:
        """Every row's cells as the CSV writes them (lists joined, JSON text, formula guard);
        made once, for the CSV, the Parquet file and the database alike."""
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
    writer.writerows(table.cells)
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


_CONVERT: dict[str, Callable[[Any], object]] = {
    "number": float,
    "integer": int,
    "boolean": "true".__eq__,
}  # else str


def typed_rows(table: Table) -> list[list]:
    """Every row's CSV cells as values of their columns' types; None for an empty cell."""
    convert = [_CONVERT.get(column.type, str) for column in table.columns]
    return [
        [None if value == "" else to(value) for value, to in zip(row, convert, strict=True)]
        for row in table.cells
    ]


def parquet_file(table: Table, meta: dict[str, str]) -> bytes:
    """One table as a Parquet file (snappy, which every Parquet reader decodes); `meta` (the data
    and format versions) goes into the Arrow schema's metadata (what pandas, pyarrow, polars and
    arro3 read back), and data_version also into the file's own key-value metadata (what any
    Parquet reader, e.g. DuckDB's parquet_kv_metadata, shows); each column's description into
    its field metadata. The writer keeps a key-value map of more than one key in no fixed order,
    so the file's own map holds the one key: the file stays byte-identical."""
    rows = table.values
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


def _create(table: Table) -> str:
    parts = [f"{_quoted(c.name)} {_SQL_TYPES.get(c.type, 'TEXT')}" for c in table.columns]
    if table.row_key:
        parts.insert(0, f"{_quoted(table.row_key)} INTEGER PRIMARY KEY")
    if table.primary_key:
        parts.append(f"PRIMARY KEY ({', '.join(map(_quoted, table.primary_key))})")
    for fields, resource, ref in table.foreign_keys:
        parts.append(
            f"FOREIGN KEY ({', '.join(map(_quoted, fields))}) "
            f"REFERENCES {_quoted(resource.replace('-', '_'))} ({', '.join(map(_quoted, ref))})"
        )
    # A table keyed by text only (link and highest-phase tables) is stored as its key's b-tree
    # (WITHOUT ROWID): no second copy of every key in an index.
    compact = table.primary_key and all(
        c.type == "string" for c in table.columns if c.name in table.primary_key
    )
    create = f"CREATE TABLE {_quoted(table.sql_name)} (\n  " + ",\n  ".join(parts) + "\n)"
    return create + (" WITHOUT ROWID" if compact and not table.files else "")


class Database:
    """The tables in one SQLite database, added one at a time (so each table's rows can be
    freed once written), with their keys declared and a `meta` table (key, value). Tables go in
    referenced tables first, with foreign keys enforced: a key that does not hold fails here."""

    def __init__(self, meta: dict[str, str]):
        # A scratch file, not ":memory:": at 10,000 drugs the database is about 70 MB, and
        # serialising an in-memory one held it twice more while it was compressed (the peak
        # memory of the build). On disk SQLite keeps only its page cache in memory.
        handle, self.path = tempfile.mkstemp(prefix="pipeline-tracker-", suffix=".sqlite")
        os.close(handle)
        self.connection = sqlite3.connect(self.path, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to undo
        self.connection.execute("PRAGMA synchronous = OFF")
        self.connection.execute("PRAGMA foreign_keys = ON")
        self.connection.execute("BEGIN")
        self.connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self.connection.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))

    def add(self, table: Table) -> None:
        self.connection.execute(_create(table))
        rows = table.values
        if table.row_key:
            rows = [[n, *row] for n, row in enumerate(rows, start=1)]
        if rows:
            marks = ", ".join("?" for _ in rows[0])
            self.connection.executemany(
                f"INSERT INTO {_quoted(table.sql_name)} VALUES ({marks})", rows
            )

    def finish(self, views: dict[str, str]) -> bytes:
        """The database as published (gzipped), with `views` (name → SELECT) for the common
        questions."""
        try:
            for name, select in views.items():
                self.connection.execute(f"CREATE VIEW {_quoted(name)} AS {select.strip()}")
            self.connection.execute("COMMIT")
            self.connection.close()
            with open(self.path, "rb") as stream:
                return gzipped(stream)
        finally:
            self.connection.close()
            os.unlink(self.path)


def gzip_bytes(data: bytes) -> bytes:
    """`data` as a reproducible .gz file (gzipped)."""
    return gzipped(io.BytesIO(data))


def gunzip_bytes(data: bytes) -> bytes:
    """What a .gz file we wrote holds."""
    return gzip.decompress(data)


def gzipped(stream, chunk: int = 1 << 20) -> bytes:
    """What `stream` reads (a chunk at a time) as a .gz file any gunzip, 7-Zip or Python's gzip
    opens: gzip's default level, no file name and a zero modification time in the header, so
    the same bytes always give the same file. The database is published this way: at 10,000
    drugs it is about 70 MB, past the 25 MiB a static host serves as one file, and about 11 MB
    compressed (text compresses well)."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=6, mtime=0) as gz:
        while block := stream.read(chunk):
            gz.write(block)
    return out.getvalue()
