"""`--output-format junit`: JUnit XML for CI test-report views (GitLab `reports: junit`,
Jenkins, Azure). One `<testsuite>` per file with findings, one failing `<testcase>` per
finding (`<error>` for ASY001, a file that could not be checked). A clean run is one passing
test case, so the report is never empty. A finding in a notebook is placed as `cell N:line:column`
in its name and text, and has no `line` attribute (the notebook's lines are its JSON)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from asynclint.output.text import position
from asynclint.registry import UNCHECKABLE_CODE

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _suite(parent, name: str, tests: int, failures: int, errors: int):
    return ET.SubElement(
        parent, "testsuite", name=_clean(name), tests=str(tests), failures=str(failures), errors=str(errors)
    )


def render(diagnostics, context) -> str:
    files: dict[str, list] = {}
    for diagnostic in diagnostics:
        files.setdefault(diagnostic.path, []).append(diagnostic)
    errors = sum(1 for d in diagnostics if d.code == UNCHECKABLE_CODE)
    root = ET.Element(
        "testsuites",
        name="asynclint",
        tests=str(max(1, len(diagnostics))),
        failures=str(len(diagnostics) - errors),
        errors=str(errors),
    )
    if not diagnostics:
        suite = _suite(root, "asynclint", 1, 0, 0)
        ET.SubElement(suite, "testcase", name=f"no problems found ({context.files_checked} files checked)", classname="asynclint")
    for path, found in files.items():
        file_errors = sum(1 for d in found if d.code == UNCHECKABLE_CODE)
        suite = _suite(root, path, len(found), len(found) - file_errors, file_errors)
        for d in found:
            place = position(d)
            case = ET.SubElement(
                suite,
                "testcase",
                name=_clean(f"{d.code} ({d.name}) at {place}"),
                classname=_clean(path),
                file=_clean(path),
            )
            if d.notebook is None:
                case.set("line", str(d.span.line))
            kind = "error" if d.code == UNCHECKABLE_CODE else "failure"
            outcome = ET.SubElement(case, kind, message=_clean(f"{d.code} {d.message}"), type=d.code)
            outcome.text = _clean(f"{path}:{place}: {d.code} {d.message}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
