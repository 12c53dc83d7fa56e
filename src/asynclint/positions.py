"""Every conversion between asynclint's internal positions and what consumers expect.

Internal (and libcst's) convention: line 1-based, column 0-based, in Unicode code points.

- Text, JSON, SARIF, GitHub and GitLab outputs: line and column both 1-based, code points.
- LSP: line and character both 0-based, counted in UTF-16 code units (the protocol's default
  position encoding) unless the client negotiated UTF-8 or UTF-32.
"""

from __future__ import annotations

import bisect
import re

# Python (and libcst) end lines only at \r\n, \r and \n. str.splitlines() also splits at form
# feeds, vertical tabs, \x1c-\x1e, \x85 and \u2028/\u2029, which would shift every line number
# after one: every line and column asynclint computes goes through `split_lines`/`line_offsets`.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """The source's lines as Python numbers them (line N is item N-1), with their line breaks
    when `keepends` (then joining them gives `text` back)."""
    if keepends:
        offsets = line_offsets(text)
        lines = [text[start:end] for start, end in zip(offsets, [*offsets[1:], len(text)])]
    elif "\r" in text:
        lines = _LINE_BREAK.split(text)
    else:
        lines = text.split("\n")  # the same lines, a quarter of the regex's time
    if lines and lines[-1] == "":
        lines.pop()  # the text ended with a line break; no empty line follows it
    return lines


def line_count(text: str) -> int:
    """`len(split_lines(text))`, without building the lines."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (1 if text and text[-1] not in "\r\n" else 0)


def line_offsets(text: str) -> list[int]:
    """Offset in `text` of the first character of each line (line N at index N-1)."""
    return [0] + [match.end() for match in _LINE_BREAK.finditer(text)]


def one_based_column(column: int) -> int:
    return column + 1


def utf16_column(line_text: str, column: int) -> int:
    """Code-point column -> UTF-16 code units: characters outside the BMP count twice."""
    prefix = line_text[:column]
    return column + sum(1 for ch in prefix if ord(ch) > 0xFFFF)


def code_point_column(line_text: str, utf16: int) -> int:
    """UTF-16 code units -> code-point column (the inverse of `utf16_column`)."""
    units = 0
    for index, ch in enumerate(line_text):
        if units >= utf16:
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(line_text)


# Position encodings an LSP client may negotiate (`general.positionEncodings`).
LSP_ENCODINGS = ("utf-16", "utf-8", "utf-32")


def lsp_character(line_text: str, column: int, encoding: str = "utf-16") -> int:
    """Code-point column -> an LSP `character`, in the negotiated position encoding (UTF-16
    code units unless the client asked for UTF-8 bytes or UTF-32 code points)."""
    if encoding == "utf-32":
        return column
    if encoding == "utf-8":
        beyond = max(0, column - len(line_text))  # an edit may start past the line's end
        return len(line_text[:column].encode("utf-8", "surrogatepass")) + beyond
    return utf16_column(line_text, column)


def lsp_position(lines: list[str], line: int, column: int, encoding: str = "utf-16") -> tuple[int, int]:
    """Internal (1-based line, 0-based code-point column) -> LSP (0-based line, character).
    `lines` are the file's lines as `split_lines` gives them; a line past the end is empty."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return line - 1, lsp_character(text, column, encoding)


def offset_position(text: str, offset: int) -> tuple[int, int]:
    """A string offset in `text` -> internal (1-based line, 0-based code-point column)."""
    offsets = line_offsets(text)
    index = bisect.bisect_right(offsets, offset) - 1
    return index + 1, offset - offsets[index]


def node_ranges(module, nodes, anchors: dict | None = None, text: str | None = None) -> dict:
    """libcst CodeRanges (1-based lines, 0-based code-point columns, as PositionProvider gives
    them) for `nodes` of `module`, through libcst's public API only.

    A node with an anchor (`{node: (def or class around it, indents of the blocks around
    that)}`, from Context.placement_anchor) is placed by generating the anchor's code alone
    and finding that text in the file; anything else, or an anchor whose text is not found
    exactly once, is placed by generating the file up to the top-level statement that holds
    the last such node.
    `text`: the source the module was parsed from (generated again when not given).

    Cost: `MetadataWrapper.resolve` walks the tree once besides generating its code, and the
    anchor's text is generated once more to be found, so a placement costs about twice what
    the former subclass of libcst's private codegen state did (same ranges, checked on every
    call and attribute of aiohttp, sanic, redis, trio and django.db); placing is under 2% of a
    cold run, and a cold `check --no-cache` of aiohttp measured the same within noise (user+sys,
    medians of 6: 14.2 s against 14.7 s for the parent)."""
    nodes = list(dict.fromkeys(n for n in nodes if n is not None))
    placed: dict = {}
    by_anchor: dict[int, tuple] = {}
    for node in nodes:
        anchor = (anchors or {}).get(node)
        if anchor is not None:
            by_anchor.setdefault(id(anchor[0]), (anchor, []))[1].append(node)
    source = None
    for (anchor, indents), group in by_anchor.values():
        if source is None:
            text = module.code if text is None else text
            source = text, line_offsets(text)
        placed.update(_place_through_anchor(module, source, anchor, indents, group))
    rest = [node for node in nodes if node not in placed]
    if rest:
        placed.update(_ranges_through(module, rest))
    return {node: placed[node] for node in nodes}


def _ranges_through(module, nodes) -> dict:
    """PositionProvider's ranges for the module's top-level statements up to the last one that
    holds one of `nodes`. Nothing before a statement depends on the code after it, which is not
    generated: it may be nested too deeply for libcst's recursive code generation (a long
    arithmetic chain at the end of a file) while the nodes wanted lie above it."""
    from asynclint.analysis.tree import children

    wanted = {id(node) for node in nodes}
    for index, statement in enumerate(module.body):
        pending = [statement]  # a stack, not recursion: the statement may be that deep
        while pending and wanted:
            node = pending.pop()
            wanted.discard(id(node))
            pending.extend(children(node))
        if not wanted:
            return _ranges(module.with_changes(body=module.body[: index + 1]))
    return _ranges(module)


def _ranges(module) -> dict:
    """PositionProvider's ranges for every node of `module` (whose nodes are the keys: no copy)."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def _place_through_anchor(module, source, anchor, indents, group) -> dict:
    """The anchor statement alone, inside one `if _:` per block around it with that block's
    indent, so its code comes out as in the file; its text is looked for in the file, and the
    ranges moved by the lines between."""
    import libcst as cst
    from libcst.metadata import CodePosition, CodeRange

    text, offsets = source
    statement = anchor
    for indent in reversed(indents):
        statement = cst.If(test=cst.Name("_"), body=cst.IndentedBlock(body=[statement], indent=indent))
    alone = cst.Module(body=[statement], default_indent=module.default_indent, default_newline=module.default_newline)
    generated = "".join(split_lines(alone.code, keepends=True)[len(indents) :])  # without the `if _:` lines
    start = text.find(generated)
    at_line_start = start == 0 or (start > 0 and text[start - 1] in "\r\n")
    if start < 0 or not at_line_start or text.find(generated, start + 1) >= 0:
        return {}  # not found exactly once where a statement starts: place it the slow way
    # Lines of the file before the anchor's first, less the `if _:` lines before it here.
    shift = bisect.bisect_right(offsets, start) - 1 - len(indents)
    ranges = _ranges(alone)

    def moved(position):
        return CodePosition(position.line + shift, position.column)

    return {node: CodeRange(moved(ranges[node].start), moved(ranges[node].end)) for node in group if node in ranges}
