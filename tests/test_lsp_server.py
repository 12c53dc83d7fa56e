"""`asynclint server` end to end: a real LSP client (tests/lsp_client.py) starts
`python -m asynclint server` and speaks JSON-RPC to it over stdio, as an editor would."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lsp_client import LspClient, apply_text_edits, workspace_edit_text

SOURCE = textwrap.dedent(
    """\
    import asyncio
    import time


    async def handler():
        label = "😀𝄞"; time.sleep(1)
        value = time.sleep(2)
        with open("data.txt") as fh:
            return fh.read()
    """
)
LINE = SOURCE.splitlines()[5]  # the line with characters outside the BMP


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
def workspace(tmp_path):
    # The workspace's config must reach the server: ASY103 (the open() call) is off here.
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\nignore = ["ASY103"]\n', encoding="utf-8")
    (tmp_path / "app.py").write_text(SOURCE, encoding="utf-8")
    return tmp_path


def _start(workspace, encodings=("utf-16",), pull=False, workspace_capabilities=None, trace=None):
    """A client as an editor starts it; `pull`: one that asks for diagnostics
    (`textDocument/diagnostic`, with `workspace/diagnostic/refresh`) instead of being sent them;
    `trace`: the trace it asks for ("messages": `$/logTrace` for each lint)."""
    client = LspClient([sys.executable, "-m", "asynclint", "server"], cwd=str(workspace))
    text_document = {
        "publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
        "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}}},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
    }
    workspace_capability = {"workspaceEdit": {"documentChanges": True}, **(workspace_capabilities or {})}
    if pull:
        text_document["diagnostic"] = {"relatedDocumentSupport": True}
        workspace_capability["diagnostics"] = {"refreshSupport": True}
    result = client.request(
        "initialize",
        {
            "processId": None,
            **({"trace": trace} if trace else {}),
            "rootUri": workspace.as_uri(),
            "workspaceFolders": [{"uri": workspace.as_uri(), "name": "ws"}],
            "capabilities": {
                "general": {"positionEncodings": list(encodings)},
                "workspace": workspace_capability,
                "textDocument": text_document,
                "notebookDocument": {"synchronization": {}},
            },
        },
        timeout=30,
    )
    client.notify("initialized", {})
    return client, result


def _open(client, uri, text, version=1):
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}})
    return client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)


def test_diagnostics_code_actions_and_fix_all_over_stdio(workspace):
    uri = (workspace / "app.py").as_uri()
    client, initialized = _start(workspace)
    try:
        capabilities = initialized["capabilities"]
        assert capabilities["positionEncoding"] == "utf-16"
        assert "source.fixAll.asynclint" in capabilities["codeActionProvider"]["codeActionKinds"]

        published = _open(client, uri, SOURCE)
        assert published["version"] == 1
        assert [d["code"] for d in published["diagnostics"]] == ["ASY100", "ASY100"]  # no ASY103: config
        sleep = published["diagnostics"][0]
        start = _utf16(LINE[: LINE.index("time.sleep")])
        assert start == LINE.index("time.sleep") + 2
        assert sleep["range"] == {
            "start": {"line": 5, "character": start},
            "end": {"line": 5, "character": start + len("time.sleep(1)")},
        }
        assert sleep["source"] == "asynclint" and sleep["severity"] == 2
        assert sleep["codeDescription"]["href"].endswith("/docs/rules/ASY100.md")
        assert sleep["data"]["fix"]["applicability"] == "safe"

        # Code actions at the first finding: its safe fix and the noqa suppression.
        actions = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": sleep["range"], "context": {"diagnostics": [sleep]}},
        )
        assert [(a["title"], a["kind"], a.get("isPreferred")) for a in actions] == [
            ("Replace with `await asyncio.sleep(1)`", "quickfix", True),
            ("Add `# noqa: ASY100`", "quickfix", None),
            ("Apply all safe asynclint fixes", "source.fixAll.asynclint", None),
        ]
        fix, noqa, _ = actions
        assert workspace_edit_text(fix["edit"], uri, SOURCE) == SOURCE.replace(
            "time.sleep(1)", "await asyncio.sleep(1)"
        )
        assert workspace_edit_text(noqa["edit"], uri, SOURCE) == SOURCE.replace(
            "time.sleep(1)\n", "time.sleep(1)  # noqa: ASY100\n"
        )
        # The edit is versioned, so an editor never applies it to a newer text.
        assert noqa["edit"]["documentChanges"][0]["textDocument"] == {"uri": uri, "version": 1}

        # The second finding's fix is unsafe (its value is used), and says so.
        value = published["diagnostics"][1]
        actions = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": value["range"], "context": {"diagnostics": [value], "only": ["quickfix"]}},
        )
        assert [(a["title"], a["kind"], a.get("isPreferred")) for a in actions] == [
            ("Replace with `await asyncio.sleep(2)` (unsafe)", "quickfix", False),
            ("Add `# noqa: ASY100`", "quickfix", None),
        ]

        # source.fixAll.asynclint: every safe fix, not the unsafe one.
        whole = {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}
        (fix_all,) = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll"]}},
        )
        assert (fix_all["title"], fix_all["kind"]) == ("Apply all safe asynclint fixes", "source.fixAll.asynclint")
        fixed = workspace_edit_text(fix_all["edit"], uri, SOURCE)
        assert fixed == SOURCE.replace("time.sleep(1)", "await asyncio.sleep(1)")

        # The editor applies it and sends the change: the diagnostics follow the new text.
        change = fix["edit"]["documentChanges"][0]["edits"][0]
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": change["range"], "text": change["newText"]}]},
        )
        published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
        assert published["version"] == 2
        assert [d["range"]["start"]["line"] for d in published["diagnostics"]] == [6]

        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        closed = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
        assert closed["diagnostics"] == []
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_changes_are_debounced_per_document(workspace):
    uri = (workspace / "app.py").as_uri()
    client, _ = _start(workspace)
    try:
        _open(client, uri, SOURCE)
        # Three quick edits (whole-text changes); only the last version is linted and published.
        for version in (2, 3, 4):
            text = SOURCE.replace("value = ", f"value{version} = ")
            client.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
            )
        published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
        assert published["version"] == 4
        assert len(published["diagnostics"]) == 2
        assert client.held("textDocument/publishDiagnostics") == []

        # A save lints at once.
        client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        saved = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri, timeout=10)
        assert saved["version"] == 4
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


HELPERS = "import time\ndef load(): time.sleep(1)\n"
VIEWS = "from pkg.helpers import load\nasync def view(): load()\n"


def _package(workspace, views: str = VIEWS):
    """pkg/helpers.py (its load() blocks) and pkg/views.py saved as `views`; the package."""
    package = workspace / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "helpers.py").write_text(HELPERS, encoding="utf-8")
    (package / "views.py").write_text(views, encoding="utf-8")
    return package


def test_project_findings_through_saved_helpers_and_unsaved_edits(workspace):
    """ASY109 for an open document: the helper is a saved file of the workspace; the
    document's unsaved text counts; saving a changed helper re-lints the open document."""
    package = _package(workspace, views="")  # saved empty: only the buffer calls load()
    uri = (package / "views.py").as_uri()
    client, _ = _start(workspace)
    try:
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": VIEWS}})
        # At once the document alone; with its project once the workspace index is built.
        published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p["diagnostics"])
        assert [(d["code"], d["range"]["start"]) for d in published["diagnostics"]] == [
            ("ASY109", {"line": 1, "character": 18})
        ]
        edited = VIEWS.replace("load()\n", "pass\n")
        client.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": edited}]}
        )
        published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p["version"] == 2)
        assert published["diagnostics"] == []
        client.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": VIEWS}]}
        )
        client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p["version"] == 3)
        # The helper stops blocking and is saved: the open document's finding goes.
        (package / "helpers.py").write_text("def load(): pass\n", encoding="utf-8")
        client.notify("textDocument/didSave", {"textDocument": {"uri": (package / "helpers.py").as_uri()}})
        client.wait_for(
            "textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p["version"] == 3 and not p["diagnostics"]
        )
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_typing_that_changes_no_summary_reuses_the_project_phase(workspace):
    """The project phase's result is kept by the summaries it read, the open document's made of
    its unsaved text: a comment typed keeps the document's ASY109 without running the phase
    (the server's `$/logTrace` says which it did, for each lint); changing the body of a helper
    in the unsaved text runs it, and the finding goes."""
    views = "from pkg.helpers import load\ndef fetch(): load()\nasync def view(): fetch()\n"
    package = _package(workspace, views=views)
    uri = (package / "views.py").as_uri()
    client, _ = _start(workspace, trace="messages")
    try:
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": views}})
        client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p["diagnostics"])  # the index is built

        def edit(version: int, text: str) -> tuple[list, str]:
            """The document's findings (code, line) for `text`, and how its lint ran the project phase."""
            client.notify(
                "textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}
            )
            published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p["version"] == version)
            # The lint's trace is sent before its diagnostics.
            traced = [t["message"] for t in client.held("$/logTrace") if "views.py with its project" in t["message"]]
            return [(d["code"], d["range"]["start"]["line"]) for d in published["diagnostics"]], traced[-1].rpartition("project phase ")[2]

        typed = views + "# loads the page\n"
        assert edit(2, typed) == ([("ASY109", 2)], "re-used")
        assert edit(3, typed.replace("page", "whole page")) == ([("ASY109", 2)], "re-used")
        findings, phase = edit(4, typed.replace("def fetch(): load()", "def fetch(): pass"))
        assert findings == [] and phase.startswith("run (")
        findings, phase = edit(5, typed)
        assert findings == [("ASY109", 2)] and phase == "re-used"  # kept in the index since version 3
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_a_broken_config_is_shown_not_crashed_on(workspace):
    (workspace / "pyproject.toml").write_text('[tool.asynclint]\nselct = ["ASY1"]\n', encoding="utf-8")
    uri = (workspace / "app.py").as_uri()
    client, _ = _start(workspace)
    try:
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": SOURCE}})
        shown = client.wait_for("window/showMessage")
        assert "unknown key 'selct'" in shown["message"] and shown["type"] == 1
        published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
        assert published["diagnostics"] == []
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_code_actions_for_a_document_neither_open_nor_on_disk_are_none(workspace):
    """An editor may ask about a buffer it never opened, or a file deleted since: an empty
    answer, not an error (pygls would read the file from disk)."""
    client, _ = _start(workspace)
    try:
        whole = {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}
        for name in ("deleted.py", "app.py"):  # app.py: on disk but not open, as before
            uri = (workspace / name).as_uri()
            actions = client.request(
                "textDocument/codeAction", {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}}
            )
            assert (name, actions == []) == (name, name == "deleted.py")
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_missing_extra_is_a_clear_error():
    probe = (
        "import sys\n"
        "sys.modules['pygls'] = None\n"  # as if asynclint[lsp] were not installed
        "sys.modules['lsprotocol'] = None\n"
        "sys.argv = ['asynclint', 'server']\n"
        "from asynclint.cli import main\n"
        "main()\n"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    # asynclint is on no package index yet: name what works however it was installed.
    assert "pip install 'pygls>=2' lsprotocol" in completed.stderr
    assert completed.stdout == ""


def test_client_side_edit_helper_counts_utf16():
    # The test client applies edits independently of asynclint's own position code.
    text = 'x = "😀"; y\n'
    edit = {"range": {"start": {"line": 0, "character": 10}, "end": {"line": 0, "character": 11}}, "newText": "z"}
    assert apply_text_edits(text, [edit]) == 'x = "😀"; z\n'


TITLES = textwrap.dedent(
    """\
    import requests


    async def fetch(url):
        requests.get(url)
    """
)


def test_quick_fix_titles_are_sentences(workspace):
    (workspace / "fetch.py").write_text(TITLES, encoding="utf-8")
    uri = (workspace / "fetch.py").as_uri()
    client, _ = _start(workspace)
    try:
        (finding,) = _open(client, uri, TITLES)["diagnostics"]
        actions = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": finding["range"], "context": {"diagnostics": [finding]}},
        )
        assert [a["title"] for a in actions] == [
            "Run `requests.get` in a worker thread with `asyncio.to_thread` (unsafe)",
            "Add `# noqa: ASY101`",
        ]
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


# An emoji (two UTF-16 units, four UTF-8 bytes) before a finding and before a noqa code.
EMOJI = textwrap.dedent(
    """\
    import time


    async def handler():
        label = "😀"; time.sleep(1)
        note = "😀"; time.sleep(2)  # noqa: ASY100, ASY101
    """
)


def _page(code: str) -> str:
    """What hover shows for a rule: its page, relative links made absolute (an editor shows it
    away from docs/)."""
    from asynclint.registry import RULES

    text = RULES[code].documentation().strip()
    return text.replace("](../", "](https://github.com/asynclint/asynclint/blob/main/docs/")


def _units(text: str, encoding: str) -> int:
    return len(text.encode("utf-8")) if encoding == "utf-8" else len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_positions_hover_and_edits_in_the_negotiated_encoding(workspace, encoding):
    """UTF-8 when the client offers it, UTF-16 otherwise: ranges, hover positions and edits
    all count the emoji the client's way."""
    (workspace / "emoji.py").write_text(EMOJI, encoding="utf-8")
    uri = (workspace / "emoji.py").as_uri()
    # UTF-8 is taken whenever it is offered, even after UTF-16.
    client, initialized = _start(workspace, encodings=("utf-16", "utf-8") if encoding == "utf-8" else ())
    try:
        assert initialized["capabilities"]["positionEncoding"] == encoding
        assert initialized["capabilities"]["hoverProvider"]
        (sleep,) = _open(client, uri, EMOJI)["diagnostics"]  # the second is silenced
        line = EMOJI.splitlines()[4]
        start = _units(line[: line.index("time.sleep")], encoding)
        assert sleep["range"] == {
            "start": {"line": 4, "character": start},
            "end": {"line": 4, "character": start + len("time.sleep(1)")},
        }

        # Hover on the finding: the rule's page, as `asynclint rule ASY100` prints it.
        hover = client.request(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 4, "character": start + 3}}
        )
        assert hover["contents"] == {"kind": "markdown", "value": _page("ASY100")}
        assert "](https://github.com/asynclint/asynclint/blob/main/docs/fixes.md)" in hover["contents"]["value"]
        assert hover["range"] == sleep["range"]

        # Hover on each code of the noqa comment, after the emoji.
        noqa_line = EMOJI.splitlines()[5]
        for code in ("ASY100", "ASY101"):
            first = _units(noqa_line[: noqa_line.index(code)], encoding)
            hover = client.request(
                "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 5, "character": first + 2}}
            )
            assert hover["contents"]["value"] == _page(code)
            assert hover["range"] == {
                "start": {"line": 5, "character": first},
                "end": {"line": 5, "character": first + len(code)},
            }
        # Anywhere else on the line: nothing (the `noqa` word, the emoji's string).
        for column in (noqa_line.index("noqa") + 1, noqa_line.index("note")):
            character = _units(noqa_line[:column], encoding)
            hover = client.request(
                "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 5, "character": character}}
            )
            assert hover is None

        # The fix's edit, applied the client's way.
        (fix, _) = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": sleep["range"], "context": {"diagnostics": [sleep], "only": ["quickfix"]}},
        )
        fixed = EMOJI.replace("time.sleep(1)", "await asyncio.sleep(1)")
        assert workspace_edit_text(fix["edit"], uri, EMOJI, encoding).replace("import asyncio\n", "") == fixed

        # An incremental change after the emoji, in the client's units: the finding moves.
        inserted = {"start": {"line": 4, "character": start}, "end": {"line": 4, "character": start}}
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": inserted, "text": "x = 1; "}]},
        )
        published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p["version"] == 2)
        assert [d["range"]["start"] for d in published["diagnostics"]] == [{"line": 4, "character": start + 7}]
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_hover_on_an_unknown_code_or_off_any_finding_is_empty(workspace):
    text = "import os  # noqa: ASY999, F401\n"
    (workspace / "other.py").write_text(text, encoding="utf-8")
    uri = (workspace / "other.py").as_uri()
    client, _ = _start(workspace)
    try:
        assert _open(client, uri, text)["diagnostics"] == []
        for code in ("ASY999", "F401", "import"):
            character = text.index(code) + 1
            hover = client.request(
                "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": character}}
            )
            assert hover is None, code
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_pull_diagnostics_for_clients_that_ask(workspace):
    """A client that pulls (`textDocument/diagnostic`) is sent no diagnostics; an unchanged
    document answers "unchanged" to the id it was given; a change on disk asks it to pull again."""
    package = _package(workspace)
    uri = (package / "views.py").as_uri()
    client, initialized = _start(workspace, pull=True)
    try:
        provider = initialized["capabilities"]["diagnosticProvider"]
        assert provider["interFileDependencies"] is True and provider["workspaceDiagnostics"] is False
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": VIEWS}})

        def pull(previous=None, expect=None):
            # Until the workspace index is built, a document is linted alone (no ASY109 yet).
            deadline = time.monotonic() + 30
            while True:
                report = client.request(
                    "textDocument/diagnostic", {"textDocument": {"uri": uri}, "previousResultId": previous}
                )
                if expect is None or report["kind"] == "unchanged" or [d["code"] for d in report["items"]] == expect:
                    return report
                assert time.monotonic() < deadline, report
                time.sleep(0.2)

        report = pull(expect=["ASY109"])
        assert report["kind"] == "full" and report["resultId"]
        assert report["items"][0]["range"]["start"] == {"line": 1, "character": 18}
        # The index's own refresh, sent once it was built: the one awaited below is the change's.
        client.wait_for("workspace/diagnostic/refresh")
        again = pull(report["resultId"])
        assert again == {"kind": "unchanged", "resultId": report["resultId"]}

        # The helper stops blocking on disk: the server asks the client to pull again.
        (package / "helpers.py").write_text("def load(): pass\n", encoding="utf-8")
        client.notify(
            "workspace/didChangeWatchedFiles", {"changes": [{"uri": (package / "helpers.py").as_uri(), "type": 2}]}
        )
        client.wait_for("workspace/diagnostic/refresh")
        report = pull(report["resultId"])
        assert report["kind"] == "full" and report["items"] == []
        assert client.held("textDocument/publishDiagnostics") == []
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_the_workspace_index_follows_helpers_changed_on_disk(workspace):
    """Issue 11: views.py is open; helpers.py, not open, changes on disk and the editor says so
    (workspace/didChangeWatchedFiles): views.py's ASY109 goes, then comes back. A file is read
    again only when the editor reports it changed."""
    package = _package(workspace)
    uri = (package / "views.py").as_uri()
    helpers = (package / "helpers.py").as_uri()
    watching = {"didChangeWatchedFiles": {"dynamicRegistration": True}}
    client, _ = _start(workspace, workspace_capabilities=watching)
    try:
        # The server asks to be told of changes to Python files and configuration.
        registration = client.wait_for("client/registerCapability")
        (watch,) = registration["registrations"]
        assert watch["method"] == "workspace/didChangeWatchedFiles"
        assert {w["globPattern"] for w in watch["registerOptions"]["watchers"]} >= {"**/*.py", "**/pyproject.toml"}

        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": VIEWS}})
        # The first finding through helpers.py says the index is built.
        published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p["diagnostics"])
        assert [d["code"] for d in published["diagnostics"]] == ["ASY109"]

        # Changed on disk, but not reported: the index keeps what it read.
        (package / "helpers.py").write_text("def load(): pass\n", encoding="utf-8")
        client.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": VIEWS}]}
        )
        published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p["version"] == 2)
        assert [d["code"] for d in published["diagnostics"]] == ["ASY109"]
        # Reported: read again, and views.py's finding goes; and comes back.
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": helpers, "type": 2}]})
        client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and not p["diagnostics"])
        (package / "helpers.py").write_text(HELPERS, encoding="utf-8")
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": helpers, "type": 2}]})
        published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p["diagnostics"])
        assert [d["code"] for d in published["diagnostics"]] == ["ASY109"]

        # A helper module created on disk joins the project.
        (package / "more.py").write_text(HELPERS, encoding="utf-8")
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": VIEWS.replace("helpers", "more")}]},
        )
        client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p["version"] == 3)
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": (package / "more.py").as_uri(), "type": 1}]})
        published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and p["diagnostics"])
        assert [d["code"] for d in published["diagnostics"]] == ["ASY109"]
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


NOTEBOOK = Path(__file__).parent / "fixtures" / "notebooks" / "service.ipynb"


def _open_notebook(client, workspace):
    """Opens service.ipynb as an editor syncs a notebook (LSP 3.17 notebook documents);
    returns its URI and its cells' URIs (by cell number)."""
    uri = (workspace / "service.ipynb").as_uri()
    cells, texts = [], []
    for number, cell in enumerate(json.loads(NOTEBOOK.read_bytes())["cells"], 1):
        cell_uri = f"vscode-notebook-cell:{uri[len('file:'):]}#cell{number}"
        kind = 2 if cell["cell_type"] == "code" else 1
        cells.append({"kind": kind, "document": cell_uri})
        language = "python" if kind == 2 else "markdown"
        texts.append({"uri": cell_uri, "languageId": language, "version": 1, "text": "".join(cell["source"])})
    client.notify(
        "notebookDocument/didOpen",
        {"notebookDocument": {"uri": uri, "notebookType": "jupyter-notebook", "version": 1, "cells": cells}, "cellTextDocuments": texts},
    )
    return uri, {number: cell["document"] for number, cell in enumerate(cells, 1)}


def _found(diagnostics):
    return [(d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"]) for d in diagnostics]


def test_notebook_cells_get_their_own_findings(workspace):
    """Issue 14: a notebook's cells are linted together as the .ipynb file is, each code cell's
    findings are published to it, in its own lines, and its quick fixes edit it."""
    client, initialized = _start(workspace)
    try:
        selector = initialized["capabilities"]["notebookDocumentSync"]["notebookSelector"]
        assert selector == [{"notebook": "*", "cells": [{"language": "python"}]}]
        uri, cells = _open_notebook(client, workspace)
        published = {}
        for number in (2, 3, 4, 5, 7, 8, 10):  # the code cells
            published[number] = client.wait_for("textDocument/publishDiagnostics", lambda p, u=cells[number]: p["uri"] == u)
        found = {number: _found(p["diagnostics"]) for number, p in published.items()}
        assert found == {2: [], 3: [], 4: [("ASY100", 1, 4), ("ASY101", 2, 15)], 5: [], 7: [], 8: [("ASY100", 2, 4)], 10: []}
        assert published[4]["diagnostics"][0]["data"]["cell"] == 4

        # Hover in a cell: the rule's page.
        hover = client.request(
            "textDocument/hover", {"textDocument": {"uri": cells[8]}, "position": {"line": 2, "character": 6}}
        )
        assert hover["contents"]["value"] == _page("ASY100")
        # Quick fixes in a cell edit that cell (the import they use is in cell 2).
        sleep = published[4]["diagnostics"][0]
        actions = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": cells[4]}, "range": sleep["range"], "context": {"diagnostics": [sleep]}},
        )
        assert [a["title"] for a in actions] == ["Replace with `await asyncio.sleep(0.5)`", "Add `# noqa: ASY100`"]
        source = "".join(json.loads(NOTEBOOK.read_bytes())["cells"][3]["source"])
        for action, expected in zip(actions, ("await asyncio.sleep(0.5)", "time.sleep(0.5)  # noqa: ASY100")):
            (change,) = action["edit"]["documentChanges"]
            assert change["textDocument"] == {"uri": cells[4], "version": 1}
            assert workspace_edit_text(action["edit"], cells[4], source) == source.replace("time.sleep(0.5)", expected)

        # An edit in one cell: the cells are linted together again (cell 4's import is in cell 2).
        client.notify(
            "notebookDocument/didChange",
            {
                "notebookDocument": {"uri": uri, "version": 2},
                "change": {
                    "cells": {
                        "textContent": [
                            {
                                "document": {"uri": cells[8], "version": 2},
                                "changes": [{"text": "async def slow():\n    requests.get('x')"}],
                            }
                        ]
                    }
                },
            },
        )
        changed = client.wait_for(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == cells[8] and p["diagnostics"] != published[8]["diagnostics"],
        )
        assert _found(changed["diagnostics"]) == [("ASY101", 1, 4)]

        client.notify(
            "notebookDocument/didClose",
            {"notebookDocument": {"uri": uri}, "cellTextDocuments": [{"uri": cell} for cell in cells.values()]},
        )
        # Cell 4 had findings in every publish so far: closing clears them.
        client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == cells[4] and not p["diagnostics"])
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_notebook_cells_answer_pulls(workspace):
    client, _ = _start(workspace, pull=True)
    try:
        _, cells = _open_notebook(client, workspace)
        report = client.request("textDocument/diagnostic", {"textDocument": {"uri": cells[4]}})
        assert _found(report["items"]) == [("ASY100", 1, 4), ("ASY101", 2, 15)]
        report = client.request("textDocument/diagnostic", {"textDocument": {"uri": cells[2]}})
        assert report["items"] == []
        assert client.held("textDocument/publishDiagnostics") == []
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_fixes_in_notebook_cells_stay_in_their_cell_and_off_ipython_lines():
    """A quick fix in a cell edits that cell, counted from its first line; one that would cross
    into another cell, or touch a masked line of IPython syntax, is not offered (as --fix
    refuses it)."""
    from asynclint.diagnostic import Edit, Span
    from asynclint.lsp_workspace import cell_edits
    from asynclint.notebook import cells_as_json, parse_notebook

    notebook = parse_notebook(cells_as_json(["import time", None, "label = '😀'; time.sleep(1)\n%time x = 1"]))
    # The joined source: line 1 is cell 1; lines 2-3 are cell 3, whose second line is IPython.
    sleep = Edit(Span(2, 14, 2, 27), "await asyncio.sleep(1)")
    assert cell_edits(notebook, [sleep, Edit(Span(1, 0, 1, 0), "import asyncio\n")], "utf-16") == {
        3: [{"range": {"start": {"line": 0, "character": 15}, "end": {"line": 0, "character": 28}}, "newText": sleep.content}],
        1: [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "newText": "import asyncio\n"}],
    }
    assert cell_edits(notebook, [Edit(Span(1, 0, 2, 5), "")], "utf-16") is None  # from cell 1 into cell 3
    # An import inserted where cell 3 starts stays with cell 1's imports, as --fix keeps it.
    assert cell_edits(notebook, [Edit(Span(2, 0, 2, 0), "import asyncio\n")], "utf-16") == {
        1: [{"range": {"start": {"line": 0, "character": 11}, "end": {"line": 0, "character": 11}}, "newText": "\nimport asyncio"}],
    }
    assert cell_edits(notebook, [Edit(Span(3, 0, 3, 5), "")], "utf-16") is None  # the %time line


def test_the_server_exits_without_waiting_for_the_index(workspace):
    """An editor that stops the server while it indexes a large workspace gets its exit at
    once, not after the index is built."""
    for number in range(300):
        (workspace / f"module_{number}.py").write_text(SOURCE, encoding="utf-8")
    client, _ = _start(workspace)
    try:
        time.sleep(1)  # the index is being built
        started = time.monotonic()
        assert client.close() == 0
        assert time.monotonic() - started < 3
    finally:
        if client.process.poll() is None:
            client.process.kill()
