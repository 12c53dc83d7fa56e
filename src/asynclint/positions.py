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
    else:
        lines = _LINE_BREAK.split(text)
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


class _AllPlaced(Exception):
    """Raised inside codegen once every wanted node has its range: the rest is not needed."""


_recording_state_class = None


def _recording_state():
    """A libcst position-tracking codegen state (the one PositionProvider uses) that records
    ranges as it goes and, with `stop_when_placed`, stops once the wanted nodes are placed."""
    global _recording_state_class
    if _recording_state_class is None:
        from libcst.metadata.position_provider import PositionProvidingCodegenState

        class RecordingState(PositionProvidingCodegenState):
            def after_codegen(self, node) -> None:
                super().after_codegen(node)
                if node in self.wanted:
                    self.wanted.discard(node)
                    if not self.wanted and self.stop_when_placed:
                        raise _AllPlaced

        _recording_state_class = RecordingState
    return _recording_state_class


class _RangeStore:
    """Stands in for the metadata provider the codegen state writes ranges into."""

    def __init__(self) -> None:
        self._computed: dict = {}


def _new_state(module, store: _RangeStore, wanted, stop_when_placed: bool):
    state = _recording_state()(
        default_indent=module.default_indent, default_newline=module.default_newline, provider=store
    )
    state.wanted = set(wanted)
    state.stop_when_placed = stop_when_placed
    return state


def node_ranges(module, nodes, anchors: dict | None = None, text: str | None = None) -> dict:
    """libcst CodeRanges (1-based lines, 0-based code-point columns, as PositionProvider gives
    them) for `nodes` of `module`.

    A node with an anchor (`{node: (def or class around it, indents of the blocks around
    that)}`, from Context.placement_anchor) is placed by generating the anchor's code alone
    and finding that text in the file; anything else, or an anchor whose text is not found
    exactly once, falls back to generating the file up to the last node still unplaced.
    `text`: the source the module was parsed from (generated again when not given)."""
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
        placed.update(_place_by_generating_the_file(module, rest))
    return {node: placed[node] for node in nodes}


def _place_through_anchor(module, source, anchor, indents, group) -> dict:
    from libcst.metadata import CodePosition, CodeRange

    text, offsets = source
    store = _RangeStore()
    state = _new_state(module, store, group, stop_when_placed=False)
    state.indent_tokens = [module.default_indent if i is None else i for i in indents]
    anchor._codegen(state)
    generated = "".join(state.tokens)
    start = text.find(generated)
    at_line_start = start == 0 or (start > 0 and text[start - 1] in "\r\n")
    if start < 0 or not at_line_start or text.find(generated, start + 1) >= 0:
        return {}  # not found exactly once where a statement starts: place it the slow way
    shift = bisect.bisect_right(offsets, start) - 1  # lines before the anchor's first line

    def moved(position):
        return CodePosition(position.line + shift, position.column)

    return {
        node: CodeRange(moved(store._computed[node].start), moved(store._computed[node].end))
        for node in group
        if node in store._computed
    }


def _place_by_generating_the_file(module, nodes) -> dict:
    store = _RangeStore()
    state = _new_state(module, store, nodes, stop_when_placed=True)
    try:
        module._codegen(state)
    except Exception:
        # Stopping early unwinds through enclosing nodes whose `finally` blocks look up
        # children that were never reached; anything raised after the last wanted node
        # was placed is that, and harmless.
        if state.wanted:
            raise
    return {node: store._computed[node] for node in nodes}
