"""Contributing a record: fmt, validate PATHS, new, diff and the Data model page, as used."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pipeline_tracker.cli import main
from pipeline_tracker.records.load import KINDS, parse_record_text
from pipeline_tracker.tools.fmt import format_text

ZANI = "records/drugs/zanidatamab.yaml"


@pytest.fixture
def workdir(records_copy: Path, monkeypatch) -> Path:
    """A scratch repository root holding records/, as the current directory."""
    monkeypatch.delenv("PIPELINE_TRACKER_RECORDS", raising=False)
    monkeypatch.chdir(records_copy.parent)
    return records_copy.parent


def _data(text: str, kind: str = "sources") -> dict:
    record, problems = parse_record_text(text, "x.yaml", kind, "x")
    assert not problems, problems
    return record.data


def test_every_record_is_canonical(repo_root: Path):
    off = []
    for file in sorted((repo_root / "records").glob("*/*.yaml")):
        text = file.read_text(encoding="utf-8")
        canonical, problems = format_text(
            text, file.relative_to(repo_root).as_posix(), file.parent.name
        )
        if problems or canonical != text:
            off.append(file.relative_to(repo_root).as_posix())
    assert not off, (
        f"not in canonical form: {off}; run `pipeline-tracker fmt` and commit the result"
    )


def test_fmt_check_names_a_reordered_file_and_fmt_restores_it_byte_for_byte(workdir: Path, capsys):
    original = (workdir / ZANI).read_bytes()
    data = _data(original.decode(), "drugs")
    shuffled = dict(reversed(list(data.items())))
    shuffled["status"] = [dict(reversed(list(row.items()))) for row in data["status"]]
    (workdir / ZANI).write_text(
        yaml.safe_dump(shuffled, indent=4, allow_unicode=True, sort_keys=False)
    )
    assert main(["fmt", "--check"]) == 1
    out = capsys.readouterr()
    assert f"{ZANI}: not in canonical form" in out.out
    assert "pipeline-tracker fmt records/drugs/zanidatamab.yaml" in out.err
    assert (workdir / ZANI).read_bytes() != original  # --check changes nothing
    assert main(["fmt", ZANI]) == 0
    assert (workdir / ZANI).read_bytes() == original
    assert main(["fmt", "--check"]) == 0


def test_fmt_sorts_only_lists_whose_order_means_nothing():
    text = (
        "id: x\nname: X\nmodality: other\nsynonyms:\n  - b\n  - A\n"
        "status:\n  - indication: z\n    regions: [US, CN]\n    phase: phase 2\n"
        "    sources: [s2, s1]\n"
        "  - indication: a\n    regions: [CN]\n    phase: phase 1\n    sources: [s1]\n"
    )
    data = _data(format_text(text, "records/drugs/x.yaml", "drugs")[0], "drugs")
    assert data["synonyms"] == ["A", "b"]
    assert [row["indication"] for row in data["status"]] == ["z", "a"]  # rows keep their order
    assert data["status"][0]["regions"] == ["CN", "US"] and data["status"][0]["sources"] == [
        "s1",
        "s2",
    ]


TRICKY = st.one_of(
    st.sampled_from(
        [
            "2019",
            "2022-10",
            "2025-05-29",
            "yes",
            "No",
            "on",
            "null",
            "~",
            "1e3",
            "0x1F",
            "12:30",
            "- a",
            "a: b",
            "a #b",
            "#x",
            "[x]",
            "{x}",
            "'q'",
            '"q"',
            "&a",
            "*a",
            "!x",
            "%x",
            "@x",
            " lead",
            "trail ",
            "two\nlines",
            "two\nlines\n",
            "end\n\n",
            "tab\tin",
            "泽沃基奥仑赛",
            "",
            "é\u2028x",
            "a\x85b",
            "?",
            "-",
            "|",
            ">",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TRICKY, date=st.sampled_from(["2019", "2022-10", "2025-05-29"]))
def test_fmt_keeps_data_equal_and_is_idempotent(text: str, date: str):
    source = yaml.safe_dump(
        {"notes": text, "id": "x", "date": date, "title": text or "t", "kind": "news"},
        allow_unicode=True,
        sort_keys=False,
    )
    record, problems = parse_record_text(source, "x.yaml", "sources", "x")
    assume(record is not None)
    once, problems = format_text(source, "records/sources/x.yaml", "sources")
    assert not problems
    assert _data(once) == record.data
    assert list(_data(once)) == ["id", "title", "kind", "date", "notes"]
    assert f'date: "{date}"' in once
    assert format_text(once, "records/sources/x.yaml", "sources")[0] == once
    assert once.endswith("\n") and not once.endswith("\n\n") or once.endswith("|+\n")
    assert not re.search(r"[ \t]$", once, re.MULTILINE)
    # \u escapes only for what YAML cannot print as it is (PyYAML's emitter: controls, line
    # separators, a byte-order mark, the non-characters U+FFFE, U+FFFF and U+10FFFF).
    unprintable = "[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\U0010ffff]"
    assert "\\u" not in once or re.search(unprintable, text)


def test_fmt_refuses_comments_unless_asked_to_strip_them(workdir: Path, capsys):
    path = workdir / ZANI
    original = path.read_text()
    path.write_text("# checked against the label\n" + original)
    assert main(["fmt", ZANI]) == 1
    assert "records/drugs/zanidatamab.yaml:1:1: has comments (line 1)" in capsys.readouterr().out
    assert path.read_text().startswith("# checked")
    assert main(["fmt", "--strip-comments", ZANI]) == 0
    assert path.read_text() == original


def test_new_writes_a_scaffold_whose_placeholders_validate_flags(workdir: Path, capsys):
    assert main(["new", "drugs", "example-drug"]) == 0
    text = (workdir / "records/drugs/example-drug.yaml").read_text()
    assert "# Modality: What kind of therapeutic the drug is." in text
    capsys.readouterr()
    assert main(["validate", "records/drugs/example-drug.yaml"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[1] for line in lines] == ["/name", "/modality", "/evidence/modality/0"]
    assert all("placeholder still unfilled" in line for line in lines)
    assert main(["fmt", "--check", "records/drugs/example-drug.yaml"]) == 1  # comments left in
    capsys.readouterr()
    path = workdir / "records/drugs/example-drug.yaml"
    path.write_text(
        text.replace('"TODO: name"', "Example")
        .replace(re.search('"TODO: one of [^"]*"', text)[0], "other")
        .replace('"TODO: citation"', "komen-empowher-303")
    )
    assert main(["fmt", "--strip-comments", "records/drugs/example-drug.yaml"]) == 0
    assert path.read_text() == (
        "id: example-drug\nname: Example\nmodality: other\n"
        "evidence:\n  modality:\n    - komen-empowher-303\n"
    )
    assert main(["validate", "records/drugs/example-drug.yaml"]) == 0


@pytest.mark.parametrize(
    "args, says",
    [
        (["new", "drugs", "zanidatamab"], "already exists"),
        (["new", "drugs", "Zani_Datamab"], "is not a record id"),
        (["new", "drugs", "../escape"], "is not a record id"),
    ],
)
def test_new_refuses_an_existing_file_or_a_bad_id(workdir: Path, capsys, args, says):
    before = sorted(p.name for p in (workdir / "records/drugs").iterdir())
    assert main(args) == 1
    assert says in capsys.readouterr().err
    assert sorted(p.name for p in (workdir / "records/drugs").iterdir()) == before


def test_validate_paths_checks_the_record_and_its_referrers_with_github_annotations(
    workdir: Path, capsys
):
    drug = workdir / ZANI
    drug.write_text(drug.read_text().replace("    phase: approved\n", "    phase: aproved\n"))
    line = drug.read_text().splitlines().index("    phase: aproved") + 1
    event = workdir / "records/events/nmpa-approval-zanidatamab-btc-2025.yaml"
    event.write_text(
        event.read_text().replace("  - biliary-tract-cancer\n", "  - biliary-tract-cancr\n")
    )
    assert main(["validate", "--format", "github", ZANI]) == 1
    out = capsys.readouterr().out.splitlines()
    assert re.match(
        rf"::error file={ZANI},line={line},col=\d+::/status/0/phase: 'aproved' is not one", out[0]
    )
    assert "did you mean 'approved'?" in out[0]
    assert any(
        o.startswith("::error file=records/events/nmpa-approval-zanidatamab-btc-2025.yaml,line=")
        and "no indication record 'biliary-tract-cancr' (did you mean 'biliary-tract-cancer'?)" in o
        for o in out
    )
    assert len(out) == 2
    assert main(["validate", "records/targets/fgfr1.yaml"]) == 0  # neither names fgfr1
    assert main(["validate", "records/drugs/nope.yaml"]) == 1
    assert "records/drugs/nope.yaml:1:1: no such record file" in capsys.readouterr().out


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_diff_tells_what_changed_since_a_commit_in_readers_words(workdir: Path, capsys):
    _git(workdir, "init", "-q")
    _git(workdir, "add", "records")
    _git(workdir, "commit", "-q", "-m", "base")
    drug = workdir / ZANI
    drug.write_text(
        drug.read_text().replace("    phase: phase 3\n", '    phase: filed\n    date: "2025-01"\n')
    )
    (workdir / "records/indications/x-disease.yaml").write_text(
        "id: x-disease\nname: <img src=x> disease\n"
    )
    (workdir / "records/targets/ptpn11.yaml").unlink()
    bbp = workdir / "records/drugs/bbp-398.yaml"
    bbp.write_text(
        bbp.read_text().replace(
            "targets:\n  - target: ptpn11\n    action: inhibitor\n"
            "    sources:\n      - hainan-infigratinib-npp-case-study\n",
            "",
        )
    )
    assert main(["diff"]) == 0  # no origin/main here: HEAD
    out = capsys.readouterr().out
    assert "Record changes against HEAD" in out
    expected = "zanidatamab · breast cancer · WW: phase 3 → filed, 2025-01 [komen-empowher-303]"
    assert expected in out
    assert "indications/x-disease: <img src=x> disease" in out
    assert (
        "Removed records:\n  targets/ptpn11: PTPN11" in out
        or "targets/ptpn11:" in out.split("Removed")[1]
    )
    assert "drugs/zanidatamab: changed status" in out
    assert main(["diff", "--format", "markdown", "HEAD"]) == 0
    markdown = capsys.readouterr().out
    assert "### Added records" in markdown and "<img" not in markdown


def test_diff_without_git_history_says_so(workdir: Path, capsys):
    assert main(["diff", "no-such-revision"]) == 1
    assert "diff: cannot read the records at no-such-revision" in capsys.readouterr().err


def test_data_model_page_lists_fields_types_required_and_allowed_values(built_site: Path):
    page = (built_site / "data-model/index.html").read_text(encoding="utf-8")
    row = re.search(r"<tr>\s*<td>modality</td>(.*?)</tr>", page, re.DOTALL)
    assert row, "drugs.modality row missing"
    assert "<td>yes</td>" in row.group(1) and "bispecific antibody" in row.group(1)
    assert "drugs › status" in page and "trials › arms › regimen" in page
    assert (
        '<a href="../data-model/"' in (built_site / "index.html").read_text()
        or "Data model" in page
    )


def test_editor_settings_map_every_kind_to_its_schema(repo_root: Path):
    settings_text = (repo_root / ".vscode/settings.json").read_text()
    mapping = json.loads(settings_text)["yaml.schemas"]
    for kind in KINDS:
        assert mapping.get(f"schema/{kind}.schema.json") == f"records/{kind}/*.yaml"
        assert (repo_root / f"schema/{kind}.schema.json").is_file()


# Every command in CONTRIBUTING.md and the site's Contributing page, as a reader would type it:
# each line of their ```sh blocks runs, in order, in a scratch copy of the repository (a git
# checkout with .venv linked in), and must succeed. The registry is a local server giving the
# fixture study records (PIPELINE_TRACKER_CTGOV_API) and the fixture Drugs@FDA response
# (PIPELINE_TRACKER_OPENFDA_API); ~/Downloads holds a saved study record and a saved response.
GUIDES = ("CONTRIBUTING.md", "docs/contributing.md")
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)
NEW = re.compile(r"^pipeline-tracker new (\w+) ([\w-]+)$")


def guide_commands(text: str) -> list[str]:
    lines = [line.strip() for block in SH_BLOCK.findall(text) for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_guides_have_commands_and_name_the_model(repo_root: Path):
    """The guides teach the model as records use it: quotes, an archived copy, an inferred value,
    special access and a region group, and give their commands as ```sh lines."""
    for name in GUIDES:
        text = (repo_root / name).read_text(encoding="utf-8")
        assert guide_commands(text), f"{name}: no ```sh commands"
        for words in (
            "quote:",
            "local_copy",
            "records/archive/",
            "inferred:",
            "special access",
            "route: special access",
            "CN-HI",
            "XN",
        ):
            assert words in text, f"{name} never mentions {words!r}"


@pytest.fixture
def ctgov_server(repo_root: Path):
    import functools
    import http.server
    import threading
    import urllib.parse

    fixtures = repo_root / "tests/fixtures/ctgov"
    fda = repo_root / "tests/fixtures/drugsfda/drugsfda_imatinib.json"

    class Registry(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/drug/drugsfda.json"):  # openFDA: the one fixture response
                asked = urllib.parse.unquote(self.path)
                body = fda.read_bytes() if 'application_number:"NDA021588"' in asked else None
            else:
                nct = self.path.rstrip("/").rsplit("/", 1)[-1].lower()
                body = (
                    (fixtures / f"{nct}.json").read_bytes()
                    if re.fullmatch(r"nct\d{8}", nct) and (fixtures / f"{nct}.json").is_file()
                    else None
                )
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body or b"{}")

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Registry))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _scratch_repository(repo_root: Path, target: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=repo_root,
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, files):
        source = repo_root / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)  # mtimes kept: make sees .venv up to date
    (target / ".venv").symlink_to(repo_root / ".venv")
    axe = repo_root / "tests/axe/node_modules"
    if axe.is_dir():
        (target / "tests/axe/node_modules").symlink_to(axe)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "base")
    return target


def _serve_briefly(command: str, cwd: Path, env: dict) -> tuple[int, str]:
    """`make serve` runs until stopped: it passes when the site answers on its port."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = re.sub(r"^(PORT=\d+ )?make serve", f"PORT={port} make serve", command)
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stopped = False
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    if b"Open Pipeline Tracker" in page.read():
                        return 0, ""
            except OSError:
                time.sleep(0.2)
        stopped = process.poll() is not None
        return 1, "stopped before the site answered" if stopped else "site never answered"
    finally:
        with contextlib.suppress(ProcessLookupError):  # stopped by itself: its output is printed
            os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C: MkDocs removes its temporary site
        output = process.communicate(timeout=30)[0]
        if stopped or process.returncode not in (0, -signal.SIGINT, 2, 130):
            print(output)


def test_every_command_in_the_guides_runs(repo_root: Path, tmp_path: Path, ctgov_server: str):
    root = _scratch_repository(repo_root, tmp_path / "repo")
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    shutil.copy(
        repo_root / "tests/fixtures/ctgov/nct00791778.json", home / "Downloads/NCT00791778.json"
    )
    shutil.copy(
        repo_root / "tests/fixtures/drugsfda/drugsfda_imatinib.json",
        home / "Downloads/gleevec.json",
    )
    env = dict(
        os.environ,
        HOME=str(home),
        PATH=f"{root / '.venv/bin'}{os.pathsep}{os.environ['PATH']}",
        PIPELINE_TRACKER_CTGOV_API=ctgov_server + "/api/v2/studies/{}",
        PIPELINE_TRACKER_OPENFDA_API=ctgov_server
        + '/drug/drugsfda.json?search=application_number:"{}"',
        NO_MKDOCS_2_WARNING="1",
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
    )
    env.pop("PIPELINE_TRACKER_RECORDS", None)
    failures = []
    for guide in GUIDES:
        for command in guide_commands((repo_root / guide).read_text(encoding="utf-8")):
            # The worked example's records are in the repository already: `new` starts one as
            # the reader would, then the finished record (as the guide shows it) comes back.
            new = NEW.match(command)
            kept = None
            if new:
                path = root / "records" / new[1] / f"{new[2]}.yaml"
                kept = path.read_bytes() if path.exists() else None
                path.unlink(missing_ok=True)
            if re.match(r"^(PORT=\d+ )?make serve", command):
                code, output = _serve_briefly(command, root, env)
            else:
                done = subprocess.run(
                    ["bash", "-c", command],
                    cwd=root,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                code, output = done.returncode, done.stdout + done.stderr
            if new and kept is not None:
                path.write_bytes(kept)
            if code != 0:
                failures.append(f"{guide}: `{command}` exited {code}: {output[-600:]}")
    assert failures == [], "\n".join(failures)
