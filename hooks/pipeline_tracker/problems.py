"""Problems found in records: data a curator reads, collected all at once, reported once."""

from __future__ import annotations

import json
from dataclasses import dataclass


def pointer_token(token) -> str:
    """One JSON pointer segment (RFC 6901): '~' and '/' escaped."""
    token = str(token)
    return token.replace("~", "~0").replace("/", "~1") if ("~" in token or "/" in token) else token


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one record, located by file, line, column and JSON pointer."""

    path: str  # repository-relative path, e.g. records/drugs/x.yaml
    line: int
    col: int
    pointer: str  # JSON pointer into the record, "" for the whole record
    message: str
    hint: str = ""
    rule: str = "schema"

    def text(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}"
        what = f"{self.pointer}: {self.message}" if self.pointer else self.message
        return f"{where}: {what}" + (f" ({self.hint})" if self.hint else "")

    def github(self) -> str:
        # Workflow-command values escape %, CR and LF; the file path is ours, not record text.
        message = self.text().split(": ", 1)[1]
        message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={self.path},line={self.line},col={self.col}::{message}"

    def as_dict(self) -> dict:
        return {
            "file": self.path,
            "line": self.line,
            "col": self.col,
            "pointer": self.pointer,
            "message": self.message,
            "hint": self.hint,
            "rule": self.rule,
        }


def format_problems(problems: list[Problem], fmt: str = "text") -> str:
    problems = sorted(set(problems))
    if fmt == "json":
        return json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(p.github() for p in problems)
    return "\n".join(p.text() for p in problems)


class RecordsInvalid(Exception):
    """Raised when records have problems; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        count = len(self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in records:\n"
            + format_problems(self.problems)
        )
