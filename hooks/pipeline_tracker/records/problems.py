"""Problems found in records: data a curator reads, collected all at once, reported once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: none may reach a
# terminal or a log as itself (a newline forges a problem line, ESC sends terminal commands).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_C1 = re.compile("[\x7f-\x9f\u2028\u2029]")  # what JSON leaves as it is


def visible(text) -> str:
    """Text fit for one line of a message: control characters written as \\xNN / \\uNNNN."""
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        str(text),
    )


def _property(value) -> str:
    """A GitHub workflow-command property value: `,` and `:` would end it and start another."""
    return (
        str(value)
        .replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace(":", "%3A")
        .replace(",", "%2C")
    )


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
        """One line, whatever the record holds: every part has its control characters escaped."""
        where = f"{visible(self.path)}:{self.line}:{self.col}"
        return f"{where}: {self._what()}"

    def _what(self) -> str:
        what = f"{self.pointer}: {self.message}" if self.pointer else self.message
        return visible(what + (f" ({self.hint})" if self.hint else ""))

    def github(self) -> str:
        # Workflow-command message escapes %, CR and LF; property values also `,` and `:` (a file
        # named `x,line=1::forged` must not set the annotation's line).
        message = self._what().replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={_property(visible(self.path))},line={self.line},col={self.col}::{message}"

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
        text = json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False)
        # JSON escapes C0 controls itself; C1 controls (0x9b is a terminal's CSI) and U+2028/9
        # are written as \\uXXXX too, so the output is still JSON and inert in a terminal.
        return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
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
