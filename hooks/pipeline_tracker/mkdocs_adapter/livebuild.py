"""Keep `mkdocs serve` useful when an edit breaks a record: show the problems, serve the last good data.

`mkdocs build` must fail on any problem; `mkdocs serve` would otherwise hold every request until
the curator fixes the record. While serving, a failed check reuses the last good build's output
and every page carries a banner listing the problems.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from pipeline_tracker.records.cache import FileCache
from pipeline_tracker.records.problems import RecordsInvalid, visible


@dataclass
class LiveBuild:
    serving: bool = False
    last_good: object | None = None
    problems: str = ""
    # What reading each record file found, kept between rebuilds: an edit re-reads one file.
    file_cache: FileCache = field(default_factory=FileCache)

    def previous_tracker(self):
        """The tracker of the last build, when it was the last load through file_cache (the
        last build did not fail): rebuilds link again only what changed since."""
        if not self.serving or self.problems or self.last_good is None:
            return None
        return getattr(self.last_good, "tracker", None)

    def build(self, make: Callable[[], object]) -> object:
        """Run `make`; while serving, fall back to the last good output instead of failing."""
        try:
            output = make()
        except RecordsInvalid as invalid:
            if not self.serving or self.last_good is None:
                raise
            self.problems = str(invalid)
            print(
                f"pipeline-tracker: serving the last good build; fix these:\n{self.problems}",
                file=sys.stderr,
            )
            return self.last_good
        except Exception as error:
            if not self.serving or self.last_good is None:
                raise
            self.problems = visible(
                f"pipeline-tracker could not build the site: {type(error).__name__}: {error}"
            )
            print(
                f"pipeline-tracker: serving the last good build; fix this:\n{self.problems}",
                file=sys.stderr,
            )
            return self.last_good
        # Only `mkdocs serve` falls back to it: a build keeping it would hold every record (and
        # their positions) in memory until MkDocs finishes, about a third of its peak at 10k drugs.
        self.last_good, self.problems = (output if self.serving else None), ""
        return output

    def banner(self) -> Markup:
        """HTML shown at the top of every page while records have problems (empty otherwise)."""
        if not self.problems:
            return Markup("")
        return Markup(
            '<div class="admonition failure pt-live-problems"><p class="admonition-title">'
            "Records have problems: this preview shows the last good build</p><pre>{}</pre></div>"
        ).format(escape(self.problems))


# One per process: `mkdocs serve` reloads the hook module on every rebuild, not this package.
LIVE = LiveBuild()


def port_taken(server) -> str:
    """One line when `mkdocs serve`'s address is taken, "" when it is free. Checked after the
    first build, just before MkDocs binds it: a port taken during that build (which can take a
    while) otherwise ends in an OSError traceback. The Makefile's check before the build stays
    for quick feedback."""
    import socket

    address = getattr(server, "server_address", None)
    if not isinstance(address, tuple) or len(address) < 2:
        return ""
    probe = socket.socket(getattr(server, "address_family", socket.AF_INET), socket.SOCK_STREAM)
    try:
        if getattr(server, "allow_reuse_address", False):
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address[:2])
    except OSError as error:
        host, port = address[0], address[1]
        return (
            f"serve: cannot listen on {host}:{port}: {error.strerror or error}; "
            f"choose another port (PORT={int(port) + 1} make serve, or --dev-addr {host}:{int(port) + 1})"
        )
    finally:
        probe.close()
    return ""


def stop_as_ctrl_c() -> None:
    """Under `mkdocs serve`: SIGINT and SIGTERM both stop the server as Ctrl-C does (a
    KeyboardInterrupt), the only way MkDocs removes the temporary folder it builds the site into
    (mkdocs_* in $TMPDIR: 116 MB at 1,000 drugs, 1.1 GB at 10,000). A process a shell without
    job control starts in the background ignores SIGINT, and SIGTERM ended it without that
    cleanup: each `make bench` run so left 1.2 GB behind. Only in the main thread (where Python
    lets a handler be set, and where MkDocs waits for Ctrl-C)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)
