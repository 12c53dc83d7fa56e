"""`--output-format json-lines`: the objects of the `json` format, one per line, so a
consumer can stream them. Nothing at all when there are no findings."""

from __future__ import annotations

import json

from asynclint.output.json_format import diagnostic_object


def render(diagnostics, context) -> str:
    return "".join(json.dumps(diagnostic_object(d, context.source_lines), ensure_ascii=False) + "\n" for d in diagnostics)
