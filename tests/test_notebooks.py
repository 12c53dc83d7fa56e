"""Jupyter notebooks, through real `.ipynb` files (tests/fixtures/notebooks/README.md says how
each was made): findings in the right cell, IPython syntax masked on the same lines, fixes
written back into only the sources of the cells they change (outputs, key order, indentation,
line breaks and nbformat version untouched), and every output format naming the cell."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET

import jsonschema
import libcst
import pytest

from asynclint.config import Config
from asynclint.diagnostic import Diagnostic, NotebookCell, NotebookIndex, Severity, Span
from asynclint.engine import Linter
from asynclint.notebook import (
    CannotWriteBack,
    NotAPythonNotebook,
    add_noqa_to_notebook,
    carry_into_cells,
    cells_as_json,
    fix_notebook,
    lint_notebook,
    mask_ipython,
    parse_notebook,
    read_notebook,
    source_lines,
)
from asynclint.output import FORMATS, STATISTICS_FORMATS, RenderContext, render
from cli_in_process import in_process
from conftest import FIXTURES, TESTS

NOTEBOOKS = FIXTURES / "notebooks"
SARIF_SCHEMA = json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
RDJSON_SCHEMA = json.loads((TESTS / "data" / "reviewdog-rdjson-DiagnosticResult.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def linter():
    return Linter(Config(root=NOTEBOOKS))


def _lint(linter, name: str) -> list[Diagnostic]:
    notebook = read_notebook((NOTEBOOKS / name).read_bytes())
    return sorted(lint_notebook(linter, notebook, name), key=Diagnostic.sort_key)


def _places(diagnostics) -> list[tuple]:
    found = []
    for d in diagnostics:
        position = d.cell_position()
        found.append((d.code, position.cell, position.line, position.column + 1))
    return found


def _fix(linter, name: str, unsafe: bool = False):
    notebook = read_notebook((NOTEBOOKS / name).read_bytes())
    return fix_notebook(linter, notebook, name, unsafe)


def _sources(data: bytes) -> dict[int, str]:
    """Cell number -> source text of every cell (code or not) of a notebook's bytes."""
    cells = json.loads(data)["cells"]
    return {n: "".join(c["source"]) if isinstance(c["source"], list) else c["source"] for n, c in enumerate(cells, 1)}


# --- findings land in their cells ---------------------------------------------------------


def test_findings_are_placed_in_their_cells(linter):
    # cell 1 markdown, 2 imports, 3 magics and shell escapes, 4 the async def, 5 top-level
    # await and a top-level time.sleep, 6 a raw cell, 7 %%bash, 8 %%time with an async def,
    # 9 markdown, 10 a finding silenced by # noqa.
    assert _places(_lint(linter, "service.ipynb")) == [
        ("ASY100", 4, 2, 5),
        ("ASY101", 4, 3, 16),
        ("ASY100", 8, 3, 5),  # the body of a %%time cell is Python run by the kernel: checked
    ]


def test_silent_cells(linter):
    """Near misses, each in service.ipynb: a raw cell's `time.sleep(1)` is no code; the top
    level of a cell counts as synchronous (cell 5: `time.sleep(1)` after a top-level await);
    a %%bash cell's `sleep 1` is no Python; `# noqa: ASY100` works inside a cell; and a
    notebook whose kernel is not Python is not checked at all."""
    cells = {d.cell_position().cell for d in _lint(linter, "service.ipynb")}
    assert cells.isdisjoint({5, 6, 7, 10})
    assert _lint(linter, "r_kernel.ipynb") == []


def test_top_level_await_and_async_blocks_parse_in_a_cell(linter):
    text = json.dumps(
        {
            "cells": [
                {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}
                for source in (
                    "import asyncio\nimport time",
                    "await asyncio.sleep(1)\nasync with lock:\n    pass\nasync for x in stream():\n    print(x)",
                    "async def f():\n    time.sleep(1)",
                )
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )
    found = lint_notebook(linter, read_notebook(text.encode()), "awaits.ipynb")
    assert _places(found) == [("ASY100", 3, 2, 5)]


def test_a_syntax_error_is_reported_in_its_cell(linter):
    (finding,) = _lint(linter, "syntax_error.ipynb")
    assert _places([finding]) == [("ASY001", 3, 1, 13)]
    lines = source_lines((NOTEBOOKS / "syntax_error.ipynb").read_bytes())
    text = render("text", [finding], RenderContext(lambda _: lines, 1))
    assert " --> syntax_error.ipynb:cell 3:1:13" in text
    assert "1 | async def f(:" in text  # the frame numbers the cell's own lines


@pytest.mark.parametrize(
    ("name", "message", "line"),
    [
        ("broken.ipynb", "not a Jupyter notebook: invalid JSON: Expecting ',' delimiter", 6),
        ("nbformat3.ipynb", "notebook format 3 is not checked, only nbformat 4", 1),
    ],
)
def test_a_file_that_is_no_notebook_says_where_in_its_json(name, message, line):
    with pytest.raises(NotAPythonNotebook) as raised:
        read_notebook((NOTEBOOKS / name).read_bytes())
    assert str(raised.value).startswith(message)
    assert raised.value.line == line


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}', "the `source` of cell 1 is not text"),
        (b'{"cells": []}', "its JSON has no `nbformat` version"),
        (b'{"nbformat": 4}', "its JSON has no list of `cells`"),
        (b'{"nbformat": 4, "cells": []\xff}', "cannot decode line 1 as UTF-8"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_malformed_notebooks_are_refused_with_a_reason(data, message):
    with pytest.raises(NotAPythonNotebook, match=re.escape(message)):
        read_notebook(data)


# --- IPython syntax -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "masked_lines"),
    [
        ("%time f()\nx = 1", (0,)),
        ("!pip install httpx\n!!ls", (0, 1)),
        ("files = !ls\na, b = %who_ls", (0, 1)),
        ("?asyncio.gather\nasyncio.sleep??\n%pinfo x", (0, 1, 2)),
        ("/print 1 2\n,print a b\n;print a b", (0, 1, 2)),
        ("pip install numpy\ncd ..", (0, 1)),  # automagics
        ("for i in range(3):\n    !echo $i\n    %time f(i)", (1, 2)),
        ("!pip install a \\\n    b \\\n    c\nx = 1", (0, 1, 2)),  # a continued shell line
        ("%%bash\necho hi\n\nsleep 1", (0, 1, 3)),  # a cell magic that is not Python
        ("%%time\nimport time\ntime.sleep(1)", (0,)),  # one whose body is Python
    ],
)
def test_ipython_lines_are_masked_on_the_same_lines(source, masked_lines):
    masked, replaced = mask_ipython(source)
    assert replaced == masked_lines
    assert len(masked.splitlines()) == len(source.splitlines())
    for number, (old, new) in enumerate(zip(source.splitlines(), masked.splitlines())):
        assert (old != new) == (number in masked_lines)
    libcst.parse_module(masked)  # parses, as the cell's Python would


@pytest.mark.parametrize(
    "source",
    [
        "x = 5 % 3\ny = a != b",  # operators, not escapes
        "total = (1\n%2)",  # a line inside brackets is no statement start
        "s = '''\n!not a command\n%not a magic\n'''",  # inside a string
        "t = 'a' \\\n    '!b'",  # a continued line
        "time = 3\ncd(path)\nrun -x",  # magic names used as Python (`run -x` is run minus x)
        "print(f'{x!r}')  # ! in code",
    ],
)
def test_python_is_never_masked(source):
    assert mask_ipython(source) == (source, ())


# --- fixes ----------------------------------------------------------------------------------


def test_fix_changes_only_the_sources_of_the_cells_it_fixes(linter):
    fixed = _fix(linter, "service.ipynb")
    original = (NOTEBOOKS / "service.ipynb").read_bytes()
    assert fixed.cells_changed == [4, 8]
    before, after = json.loads(original), json.loads(fixed.data)
    for cell_before, cell_after in zip(before["cells"], after["cells"]):
        cell_before.pop("source"), cell_after.pop("source")
    assert before == after  # outputs, metadata, ids, execution counts, nbformat version
    assert _sources(fixed.data)[4] == (
        "async def fetch(url):\n    await asyncio.sleep(0.5)\n    response = requests.get(url)\n    return response.json()"
    )
    assert _sources(fixed.data)[8] == "%%time\nasync def slow():\n    await asyncio.sleep(2)"
    assert {n: s for n, s in _sources(fixed.data).items() if n not in (4, 8)} == {
        n: s for n, s in _sources(original).items() if n not in (4, 8)
    }
    # Jupyter's layout (indent=1, sorted keys, a final line break) survives, line for line.
    changed = [
        (a, b) for a, b in zip(original.decode().splitlines(), fixed.data.decode().splitlines()) if a != b
    ]
    assert changed == [
        ('    "    time.sleep(0.5)\\n",', '    "    await asyncio.sleep(0.5)\\n",'),
        ('    "    time.sleep(2)"', '    "    await asyncio.sleep(2)"'),
    ]
    assert fixed.data.endswith(b"}\n")
    assert _places(fixed.outcome.remaining) == [("ASY101", 4, 3, 16)]
    assert [d.code for d in fixed.outcome.applied] == ["ASY100", "ASY100"]


def test_fix_in_one_cell_removes_the_import_it_made_unused_in_another(linter):
    fixed = _fix(linter, "imports.ipynb")
    assert fixed.cells_changed == [1, 3]
    assert _sources(fixed.data) == {
        1: "import asyncio",
        2: "The handler:",
        3: "async def tick():\n    await asyncio.sleep(1)\n",
    }
    assert fixed.diff("imports.ipynb") == (
        "--- a/imports.ipynb:cell 1\n+++ b/imports.ipynb:cell 1\n@@ -1,2 +1 @@\n import asyncio\n-import time\n"
        "--- a/imports.ipynb:cell 3\n+++ b/imports.ipynb:cell 3\n@@ -1,2 +1,2 @@\n async def tick():\n"
        "-    time.sleep(1)\n+    await asyncio.sleep(1)\n"
    )


def test_an_import_added_where_two_cells_meet_goes_to_the_cell_before(linter):
    assert _fix(linter, "insert_import.ipynb").data is None  # both fixes are unsafe
    fixed = _fix(linter, "insert_import.ipynb", unsafe=True)
    assert _sources(fixed.data) == {
        1: "",  # its only import was made unused; the cell stays, empty
        2: "import requests\nimport asyncio",
        3: 'async def handler():\n    await asyncio.sleep(1)\n    return await asyncio.to_thread(requests.get, "https://example.com")',
    }
    assert fixed.outcome.remaining == []
    # The texts a run renders the remaining findings against are the joined sources.
    assert fixed.outcome.fixed == read_notebook(fixed.data).source


def test_another_tools_layout_survives_byte_for_byte(linter):
    """Two-space indentation, `metadata` before `cells`, CRLF line breaks, each source one
    string, raw non-ASCII text and no final line break: only two source strings change."""
    original = (NOTEBOOKS / "other_layout.ipynb").read_bytes()
    fixed = _fix(linter, "other_layout.ipynb")
    changed = [(a, b) for a, b in zip(original.split(b"\r\n"), fixed.data.split(b"\r\n")) if a != b]
    assert changed == [
        (
            '      "source": "import asyncio\\nimport time\\n\\nGREETING = \\"héllo ☕\\"",'.encode(),
            '      "source": "import asyncio\\n\\nGREETING = \\"héllo ☕\\"",'.encode(),
        ),
        (
            '      "source": "async def greet():\\n    time.sleep(1)  # café\\n    return GREETING",'.encode(),
            '      "source": "async def greet():\\n    await asyncio.sleep(1)  # café\\n    return GREETING",'.encode(),
        ),
    ]
    assert fixed.data.count(b"\r\n") == original.count(b"\r\n") and not fixed.data.endswith(b"\n")


def test_an_ascii_only_notebook_stays_ascii(linter):
    fixed = _fix(linter, "ascii_escaped.ipynb")
    assert fixed.data.isascii()
    assert '"async def na\\u00efve():\\n",' in fixed.data.decode()
    assert _sources(fixed.data)[1].endswith('print("déjà vu")\n    await asyncio.sleep(1)')


def _code_notebook(*sources: str):
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": source} for source in sources]
    return parse_notebook(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}))


def test_edits_that_would_move_code_between_cells_or_touch_ipython_lines_are_refused():
    notebook = _code_notebook("a = 1\nb = 2", "!ls\nc = 3")
    assert notebook.masked_source == "a = 1\nb = 2\n...\nc = 3\n"
    assert carry_into_cells(notebook, "a = 1\nb = 2\n...\nc = 4\n") == {1: "a = 1\nb = 2", 2: "!ls\nc = 4"}
    with pytest.raises(CannotWriteBack, match="IPython line"):
        carry_into_cells(notebook, "a = 1\nb = 2\npass\nc = 3\n")
    notebook = _code_notebook("a = 1\nb = 2", "c = 3\nd = 4")
    # Two lines, one in each cell, become one: which cell would hold it?
    with pytest.raises(CannotWriteBack, match="from one cell to another"):
        carry_into_cells(notebook, "a = 1\nbc = 23\nd = 4\n")
    # Lines deleted on both sides of the boundary leave it where they were.
    assert carry_into_cells(notebook, "a = 1\nd = 4\n") == {1: "a = 1", 2: "d = 4"}


def test_a_notebook_with_nothing_to_fix_is_not_written(linter):
    fixed = _fix(linter, "r_kernel.ipynb")
    assert fixed.data is None and not fixed.outcome.changed


# --- every output format names the cell -----------------------------------------------------


@pytest.fixture
def findings(linter, tmp_path, monkeypatch):
    shutil.copy(NOTEBOOKS / "service.ipynb", tmp_path / "service.ipynb")
    monkeypatch.chdir(tmp_path)
    return _lint(linter, "service.ipynb")


def _context(**fields) -> RenderContext:
    lines = source_lines((NOTEBOOKS / "service.ipynb").read_bytes())
    return RenderContext(lambda _: lines, 1, **fields)


@pytest.mark.parametrize("output_format", sorted(set(FORMATS) - {"json", "json-lines", "lsp"}))
def test_every_text_and_file_format_names_the_cell(findings, output_format, tmp_path):
    output = render(output_format, findings, _context(root=str(tmp_path)))
    for place in ("cell 4:2:5", "cell 4:3:16", "cell 8:3:5"):
        assert place in output


def test_text_output_frames_the_cell_with_its_own_line_numbers(findings):
    text = render("text", findings[:1], _context()).splitlines()
    start = text.index(" --> service.ipynb:cell 4:2:5")  # after the message, however it wraps
    assert text[start : start + 7] == [
        " --> service.ipynb:cell 4:2:5",
        "  |",
        "1 | async def fetch(url):",
        "2 |     time.sleep(0.5)",
        "  |     ^^^^^^^^^^^^^^^",
        "3 |     response = requests.get(url)",
        "4 |     return response.json()",
    ]
    assert render("concise", findings[:1], _context()).startswith("service.ipynb:cell 4:2:5: ASY100 [*] ")
    grouped = render("grouped", findings, _context()).splitlines()
    assert [line[: len("  cell 4:3:16 ASY100")] for line in grouped[:4]] == [
        "service.ipynb:",
        "  cell 4:2:5  ASY100",
        "  cell 4:3:16 ASY101",
        "  cell 8:3:5  ASY100",
    ]


def test_json_gives_the_cell_and_lines_within_it_as_ruff_does(findings):
    first, *_ = json.loads(render("json", findings, _context()))
    assert (first["cell"], first["line"], first["column"], first["end_line"], first["end_column"]) == (4, 2, 5, 2, 20)
    assert first["fix"]["edits"] == [
        {"cell": 4, "line": 2, "column": 5, "end_line": 2, "end_column": 20, "content": "await asyncio.sleep(0.5)"}
    ]
    lines = render("json-lines", findings, _context()).splitlines()
    assert [json.loads(line)["cell"] for line in lines] == [4, 4, 8]


def test_json_cell_is_null_for_a_plain_file():
    finding = Diagnostic("app.py", "ASY100", "blocking-sleep", Severity.WARNING, "m", Span(3, 4, 3, 17))
    (found,) = json.loads(render("json", [finding], RenderContext(lambda _: [], 1)))
    assert found["cell"] is None and found["line"] == 3


def test_an_edit_taking_a_cells_last_line_ends_in_that_cell():
    """Cells joined: `import time` (cell 1) + line break + `x = 1` (cell 3). An edit deleting
    cell 1's line with its line break ends at the next cell's first column; in cell terms it
    ends at the end of cell 1's last line. An insertion at a cell's start stays in that cell."""
    index = NotebookIndex((NotebookCell(1, 1, 1), NotebookCell(3, 2, 1)))
    lines = ["import time", "x = 1"]
    start, end = index.locate_span(Span(1, 0, 2, 0), lines)
    assert (start.cell, start.line, start.column, end.cell, end.line, end.column) == (1, 1, 0, 1, 1, 11)
    start, end = index.locate_span(Span(2, 0, 2, 0), lines)
    assert (start.cell, end.cell, end.line, end.column) == (3, 3, 1, 0)


def test_lsp_ranges_count_within_the_cell(findings):
    (document,) = json.loads(render("lsp", findings, _context()))
    first = document["diagnostics"][0]
    assert first["range"] == {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 19}}
    assert first["data"]["cell"] == 4
    assert first["data"]["fix"]["edits"][0]["cell"] == 4


def test_sarif_places_a_notebook_finding_on_the_file_and_validates(findings, tmp_path):
    document = json.loads(render("sarif", findings, _context(root=str(tmp_path))))
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(document)
    first = document["runs"][0]["results"][0]
    assert first["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "service.ipynb", "uriBaseId": "%SRCROOT%"}}}]
    assert first["message"]["text"].startswith("cell 4:2:5: `time.sleep()`")
    assert "fixes" not in first  # its positions would be read as positions in the JSON


def test_rdjson_validates_without_ranges_or_suggestions(findings, tmp_path):
    document = json.loads(render("rdjson", findings, _context(root=str(tmp_path))))
    errors = list(jsonschema.Draft4Validator(RDJSON_SCHEMA).iter_errors(document))
    assert errors == []
    first = document["diagnostics"][0]
    assert first["location"] == {"path": "service.ipynb"} and "suggestions" not in first
    assert first["message"].startswith("cell 4:2:5: ")


def test_line_addressed_formats_give_no_line_inside_the_json(findings, tmp_path):
    context = _context(root=str(tmp_path))
    github = render("github", findings, context).splitlines()[0]
    assert github.startswith("::warning file=service.ipynb,title=ASY100 (blocking-sleep)::ASY100 cell 4:2:5: ")
    azure = render("azure", findings, context).splitlines()[0]
    assert "linenumber" not in azure and "]cell 4:2:5: " in azure
    gitlab = json.loads(render("gitlab", findings, context))[0]
    assert gitlab["location"] == {"path": "service.ipynb", "lines": {"begin": 1}}
    assert gitlab["description"].startswith("ASY100 cell 4:2:5: ")
    assert render("pylint", findings, context).startswith("service.ipynb:1: [ASY100] cell 4:2:5: ")
    suite = ET.fromstring(render("junit", findings, context)).find("testsuite")
    case = suite.find("testcase")
    assert case.get("name") == "ASY100 (blocking-sleep) at cell 4:2:5" and case.get("line") is None


def test_statistics_count_notebook_findings_like_any(findings):
    for output_format in STATISTICS_FORMATS:
        assert "ASY100" in render(output_format, findings, _context(statistics=True))


def test_a_cached_notebook_finding_keeps_its_cells(findings):
    assert [Diagnostic.from_dict(d.to_dict()) for d in findings] == findings



def test_add_noqa_comments_land_in_the_cells(linter):
    notebook = read_notebook((NOTEBOOKS / "service.ipynb").read_bytes())
    silenced, added = add_noqa_to_notebook(notebook, lint_notebook(linter, notebook, "service.ipynb"))
    assert added == 3
    sources = _sources(silenced.encode())
    assert sources[4].splitlines()[1:3] == [
        "    time.sleep(0.5)  # noqa: ASY100",
        "    response = requests.get(url)  # noqa: ASY101",
    ]
    assert sources[8].endswith("time.sleep(2)  # noqa: ASY100")
    assert sources[3] == _sources((NOTEBOOKS / "service.ipynb").read_bytes())[3]  # its magics as they were
    assert lint_notebook(linter, silenced, "service.ipynb") == []


def test_an_editors_cells_lint_as_the_file_would(linter):
    """The language server gets a notebook as cell documents: markdown cells keep their
    numbers, and the findings are those of the file."""
    cells = json.loads((NOTEBOOKS / "service.ipynb").read_bytes())["cells"]
    sources = ["".join(c["source"]) if c["cell_type"] == "code" else None for c in cells]
    notebook = read_notebook(cells_as_json(sources).encode())
    found = lint_notebook(linter, notebook, "service.ipynb")
    assert sorted(found, key=Diagnostic.sort_key) == _lint(linter, "service.ipynb")


# --- end to end: `asynclint check` on real notebook files ---------------------------------
#
# In this process (cli_in_process.py); test_precommit.py runs a notebook through real ones.


@pytest.fixture
def workspace(tmp_path):
    """A project with notebooks, and Jupyter's autosaved copy of one."""
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n", encoding="utf-8")
    (tmp_path / "notebooks" / ".ipynb_checkpoints").mkdir(parents=True)
    for name in ("service.ipynb", "imports.ipynb", "broken.ipynb", "r_kernel.ipynb"):
        shutil.copy(NOTEBOOKS / name, tmp_path / "notebooks" / name)
    checkpoint = tmp_path / "notebooks" / ".ipynb_checkpoints" / "service-checkpoint.ipynb"
    shutil.copy(NOTEBOOKS / "service.ipynb", checkpoint)
    return tmp_path


def _concise(result) -> list[str]:
    """Each finding's location and code, and the summary line."""
    return [line.split(" [*]")[0].split(" `")[0] for line in result.stdout.splitlines() if line]


def test_check_finds_notebooks_and_names_their_cells(workspace):
    result = in_process("check", "--output-format", "concise", "notebooks", cwd=workspace)
    assert result.returncode == 1
    assert _concise(result)[:6] == [
        "notebooks/broken.ipynb:6:3: ASY001 not a Jupyter notebook: invalid JSON: Expecting ',' delimiter",
        "notebooks/imports.ipynb:cell 3:2:5: ASY100",
        "notebooks/service.ipynb:cell 4:2:5: ASY100",
        "notebooks/service.ipynb:cell 4:3:16: ASY101",
        "notebooks/service.ipynb:cell 8:3:5: ASY100",
        "Found 5 problems in 3 files (4 files checked).",  # not the checkpoint copy
    ]


def test_the_text_frame_shows_the_cells_lines_from_the_cache_too(workspace):
    first = in_process("check", "notebooks/service.ipynb", cwd=workspace)
    again = in_process("check", "notebooks/service.ipynb", cwd=workspace)
    assert again.stdout == first.stdout
    assert " --> notebooks/service.ipynb:cell 8:3:5" in again.stdout
    assert "3 |     time.sleep(2)" in again.stdout  # the cell's own line 3, not the JSON's


def test_fix_rewrites_the_fixed_cells_and_leaves_outputs_alone(workspace):
    path = workspace / "notebooks" / "service.ipynb"
    before = path.read_bytes()
    result = in_process("check", "--fix", "--output-format", "concise", "notebooks/service.ipynb", cwd=workspace)
    assert result.returncode == 1
    assert _concise(result)[:2] == [
        "notebooks/service.ipynb:cell 4:3:16: ASY101",
        "Found 3 problems (2 fixed, 1 remaining; 1 file checked).",
    ]
    after = path.read_bytes()
    assert _sources(after)[4].splitlines()[1] == "    await asyncio.sleep(0.5)"
    old, new = json.loads(before)["cells"], json.loads(after)["cells"]
    assert [{k: v for k, v in c.items() if k != "source"} for c in new] == [
        {k: v for k, v in c.items() if k != "source"} for c in old
    ]
    assert [n for n, (a, b) in enumerate(zip(old, new), 1) if a["source"] != b["source"]] == [4, 8]
    assert not list(path.parent.glob(".asynclint-*"))  # written atomically, through a temporary file


def test_diff_shows_each_changed_cell_and_writes_nothing(workspace):
    path = workspace / "notebooks" / "imports.ipynb"
    before = path.read_bytes()
    result = in_process("check", "--diff", "notebooks/imports.ipynb", cwd=workspace)
    assert result.returncode == 1 and path.read_bytes() == before
    assert [line for line in result.stdout.splitlines() if line.startswith(("---", "+++", "-", "+"))] == [
        "--- a/notebooks/imports.ipynb:cell 1",
        "+++ b/notebooks/imports.ipynb:cell 1",
        "-import time",
        "--- a/notebooks/imports.ipynb:cell 3",
        "+++ b/notebooks/imports.ipynb:cell 3",
        "-    time.sleep(1)",
        "+    await asyncio.sleep(1)",
    ]


def test_fix_only_reports_nothing_that_remains(workspace):
    result = in_process("check", "--fix-only", "notebooks/service.ipynb", cwd=workspace)
    assert (result.returncode, result.stdout) == (0, "Fixed 2 problems.\n")


def test_add_noqa_writes_into_the_cells(workspace):
    result = in_process("check", "--add-noqa", "notebooks/service.ipynb", cwd=workspace)
    assert (result.returncode, result.stdout) == (0, "Added 3 noqa comments.\n")
    path = workspace / "notebooks" / "service.ipynb"
    assert _sources(path.read_bytes())[4].splitlines()[1] == "    time.sleep(0.5)  # noqa: ASY100"
    assert in_process("check", "notebooks/service.ipynb", cwd=workspace).returncode == 0


def test_a_notebook_on_standard_input(workspace):
    data = (NOTEBOOKS / "imports.ipynb").read_bytes()
    checked = in_process("check", "--output-format", "json", "-", "--stdin-filename", "imports.ipynb", cwd=workspace, stdin=data)
    (finding,) = json.loads(checked.stdout)
    assert (finding["cell"], finding["line"], finding["column"]) == (3, 2, 5)
    framed = in_process("check", "-", "--stdin-filename", "imports.ipynb", cwd=workspace, stdin=data)
    assert "2 |     time.sleep(1)" in framed.stdout
    fixed = in_process("check", "--fix", "-", "--stdin-filename", "imports.ipynb", cwd=workspace, stdin=data)
    assert fixed.returncode == 0
    assert _sources(fixed.stdout.encode())[3] == "async def tick():\n    await asyncio.sleep(1)\n"
    diff = in_process("check", "--diff", "-", "--stdin-filename", "imports.ipynb", cwd=workspace, stdin=data)
    assert "+++ b/imports.ipynb:cell 3" in diff.stdout
    broken = (NOTEBOOKS / "broken.ipynb").read_bytes()
    refused = in_process("check", "--fix", "-", "--stdin-filename", "broken.ipynb", cwd=workspace, stdin=broken)
    assert refused.returncode == 1 and refused.stdout.encode() == broken  # given back as it came
    assert "ASY001 not a Jupyter notebook" in refused.stderr


def test_a_notebook_named_like_a_module_is_not_one(workspace):
    """A notebook is linted on its own: `helpers.ipynb` beside `helpers.py` does not stand for
    the module when ASY109 follows `helpers.wait()`."""
    (workspace / "helpers.py").write_text("import time\n\n\ndef wait():\n    time.sleep(1)\n", encoding="utf-8")
    (workspace / "app.py").write_text("import helpers\n\n\nasync def handler():\n    helpers.wait()\n", encoding="utf-8")
    notebook = json.loads((NOTEBOOKS / "imports.ipynb").read_bytes())
    notebook["cells"] = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "def wait():\n    pass"}]
    (workspace / "helpers.ipynb").write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    result = in_process("check", "--select", "ASY109", "--output-format", "concise", "app.py", "helpers.py", "helpers.ipynb", cwd=workspace)
    assert _concise(result)[0] == "app.py:5:5: ASY109"
