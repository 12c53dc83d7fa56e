"""`asynclint server` end to end: a real LSP client (tests/lsp_client.py) starts
`python -m asynclint server` and speaks JSON-RPC to it over stdio, as an editor would."""

from __future__ import annotations

import subprocess
import sys
import textwrap

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


def _start(workspace, encodings=("utf-16",)):
    client = LspClient([sys.executable, "-m", "asynclint", "server"], cwd=str(workspace))
    result = client.request(
        "initialize",
        {
            "processId": None,
            "rootUri": workspace.as_uri(),
            "workspaceFolders": [{"uri": workspace.as_uri(), "name": "ws"}],
            "capabilities": {
                "general": {"positionEncodings": list(encodings)},
                "workspace": {"workspaceEdit": {"documentChanges": True}},
                "textDocument": {
                    "publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
                    "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}}},
                },
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
        by_title = {a["title"]: a for a in actions}
        fix = next(a for a in actions if a["kind"] == "quickfix" and "safe fix" in a["title"])
        assert fix["isPreferred"] is True and "ASY100" in fix["title"]
        assert workspace_edit_text(fix["edit"], uri, SOURCE) == SOURCE.replace(
            "time.sleep(1)", "await asyncio.sleep(1)"
        )
        noqa = by_title["Suppress ASY100 with `# noqa: ASY100`"]
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
        unsafe = [a for a in actions if "unsafe" in a["title"]]
        assert len(unsafe) == 1 and not unsafe[0].get("isPreferred")
        assert {a["kind"] for a in actions} == {"quickfix"}

        # source.fixAll.asynclint: every safe fix, not the unsafe one.
        whole = {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}
        (fix_all,) = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll"]}},
        )
        assert fix_all["kind"] == "source.fixAll.asynclint"
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


def test_project_findings_through_saved_helpers_and_unsaved_edits(workspace):
    """ASY109 for an open document: the helper is a saved file of the workspace; the
    document's unsaved text counts; saving a changed helper re-lints the open document."""
    package = workspace / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "helpers.py").write_text(HELPERS, encoding="utf-8")
    (package / "views.py").write_text("", encoding="utf-8")  # saved empty: only the buffer calls load()
    uri = (package / "views.py").as_uri()
    client, _ = _start(workspace)
    try:
        published = _open(client, uri, VIEWS)
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
        published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and not p["diagnostics"])
        assert published["version"] == 3
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_utf8_positions_when_the_client_prefers_them(workspace):
    uri = (workspace / "app.py").as_uri()
    client, initialized = _start(workspace, encodings=("utf-8", "utf-16"))
    try:
        assert initialized["capabilities"]["positionEncoding"] == "utf-8"
        published = _open(client, uri, SOURCE)
        start = len(LINE[: LINE.index("time.sleep")].encode("utf-8"))
        assert published["diagnostics"][0]["range"]["start"] == {"line": 5, "character": start}
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
    assert "pip install 'asynclint[lsp]'" in completed.stderr
    assert completed.stdout == ""


def test_client_side_edit_helper_counts_utf16():
    # The test client applies edits independently of asynclint's own position code.
    text = 'x = "😀"; y\n'
    edit = {"range": {"start": {"line": 0, "character": 10}, "end": {"line": 0, "character": 11}}, "newText": "z"}
    assert apply_text_edits(text, [edit]) == 'x = "😀"; z\n'
