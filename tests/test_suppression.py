"""`# noqa` comments: on the reported line, or the first or last line of a multi-line statement;
with codes only those codes; `# asynclint: noqa` on a line of its own for the whole file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asynclint.config import Config
from asynclint.engine import Linter
from cli_in_process import in_process

HEADER = "import os\nimport time\n\n\nasync def handler(path):\n"  # the body starts on line 6


def reported(body: str, header: str = HEADER) -> list[tuple[str, int]]:
    """(code, line) of what ASY100 and ASY103 report in `header + body`."""
    config = Config(root=Path.cwd(), select=("ASY100", "ASY103"))
    return [(d.code, d.span.line) for d in Linter(config).lint_text(header + body, "app.py")]


def test_without_a_comment_both_findings_are_reported():
    assert reported("    time.sleep(1); os.listdir(path)\n") == [("ASY100", 6), ("ASY103", 6)]


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa",
        "#noqa",
        "# NOQA",
        "# noqa: ASY100,ASY103",
        "# noqa: ASY100, ASY103",
        "# noqa:ASY103,ASY100",
        "# noqa: asy100,asy103",
        "# noqa: ASY103  # noqa: ASY100",
    ],
)
def test_comment_naming_every_reported_code_or_none_silences_the_line(comment):
    assert reported(f"    time.sleep(1); os.listdir(path)  {comment}\n") == []


@pytest.mark.parametrize("comment", ["# noqa: ASY100", "# noqa:  ASY100", "# noqa:ASY100 (until the rewrite)"])
def test_comment_naming_one_code_silences_only_that_code(comment):
    assert reported(f"    time.sleep(1); os.listdir(path)  {comment}\n") == [("ASY103", 6)]


@pytest.mark.parametrize("comment", ["# noqa: ASY101", "# noqa: ASY10", "# noqa: E501"])
def test_comment_naming_another_code_does_not_silence(comment):
    assert reported(f"    time.sleep(1)  {comment}\n") == [("ASY100", 6)]


@pytest.mark.parametrize(
    "comment, left",
    [
        ("# noqa: ASYNC251", [("ASY103", 6)]),  # flake8-async's and ruff's code for ASY100
        ("# noqa: ASYNC240", [("ASY100", 6)]),  # ASYNC240 (os.path and the like) is ASY103's
        ("# noqa: ASYNC251,ASYNC240", []),
        ("# noqa: ASYNC100", [("ASY100", 6), ("ASY103", 6)]),  # a cancellation rule: none of ours
    ],
)
def test_a_peers_code_for_the_same_finding_silences_ours(comment, left):
    assert reported(f"    time.sleep(1); os.listdir(path)  {comment}\n") == left


def test_a_peers_code_is_never_judged_unused():
    # ASY002 judges only asynclint's own codes: RUF100 and flake8 judge theirs.
    config = Config(root=Path.cwd(), select=("ASY100", "ASY002"))
    text = HEADER + "    time.sleep(1)  # noqa: ASYNC251\n    x = 1  # noqa: ASYNC251\n"
    assert Linter(config).lint_text(text, "app.py") == []


def test_peer_codes_are_the_ones_docs_peers_md_maps():
    from asynclint.suppression import PEER_CODES

    table = (Path(__file__).parent.parent / "docs" / "peers.md").read_text(encoding="utf-8")
    documented = {}
    for row in re.findall(r"^\| \[(ASY\d{3})\]\(rules/ASY\d{3}\.md\) [^|]*\|([^|]*)\|([^|]*)\|$", table, re.M):
        code, flake8_async, ruff = row
        for peer in re.findall(r"\b(?:ASYNC|RUF)\d{3}\b", flake8_async + ruff):
            if not (flake8_async + ruff).strip().startswith("none"):
                documented[peer] = code
    assert documented == PEER_CODES


def test_comment_on_another_line_does_not_silence():
    assert reported("    # noqa\n    time.sleep(1)\n    x = 1  # noqa\n") == [("ASY100", 7)]


MULTI_LINE = """\
    result = await consume(
        time.sleep(1),
        path,
    )
"""  # the finding is on line 7, the statement spans lines 6-9


@pytest.mark.parametrize("line_index", [0, 1, 3], ids=["first-line", "reported-line", "last-line"])
def test_noqa_on_the_first_reported_or_last_line_of_a_multi_line_statement(line_index):
    assert reported(MULTI_LINE) == [("ASY100", 7)]
    lines = MULTI_LINE.splitlines()
    lines[line_index] += "  # noqa: ASY100"
    assert reported("\n".join(lines) + "\n") == []


def test_noqa_on_a_middle_line_that_is_not_the_reported_one_does_not_silence():
    lines = MULTI_LINE.splitlines()
    lines[2] += "  # noqa: ASY100"
    assert reported("\n".join(lines) + "\n") == [("ASY100", 7)]


def test_noqa_on_the_last_line_of_a_call_spanning_lines():
    assert reported("    time.sleep(\n        1,\n    )  # noqa: ASY100\n") == []


def test_file_level_noqa_on_a_line_of_its_own_silences_the_whole_file():
    header = "# asynclint: noqa\n" + HEADER
    assert reported("    time.sleep(1); os.listdir(path)\n", header) == []


def test_file_level_noqa_after_code_on_the_line_is_not_file_level():
    header = "import os  # asynclint: noqa\nimport time\n\n\nasync def handler(path):\n"
    assert reported("    time.sleep(1)\n", header) == [("ASY100", 6)]


def test_noqa_lines_are_counted_as_python_counts_them_despite_form_feeds():
    """str.splitlines() would also split at the form feed and shift every line after it."""
    header = "import os\nimport time\n\x0c\n\nasync def handler(path):  # page\x0cbreak\n"
    assert reported("    time.sleep(1)\n", header) == [("ASY100", 6)]
    assert reported("    time.sleep(1)  # noqa: ASY100\n", header) == []


def test_noqa_through_the_command_line(tmp_path):
    (tmp_path / "app.py").write_text(
        HEADER + "    time.sleep(1)  # noqa: ASY100\n    os.listdir(path)  # noqa: ASY100\n", encoding="utf-8"
    )
    result = in_process("check", "--output-format", "concise", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("app.py:7:5: ASY103 ")
    assert "Found 1 problem in 1 file" in result.stdout
