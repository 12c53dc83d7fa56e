"""Every conversion between asynclint's internal positions and what consumers expect.

Internal (and libcst's) convention: line 1-based, column 0-based, in Unicode code points.

- Text, JSON, SARIF, GitHub and GitLab outputs: line and column both 1-based, code points.
- LSP: line and character both 0-based, counted in UTF-16 code units (the protocol's default
  position encoding) unless the client negotiated UTF-8 or UTF-32.
"""

from __future__ import annotations

import re

# Python (and libcst) end lines only at \r\n, \r and \n. str.splitlines() also splits at form
# feeds, \x1c-\x1e, \x85 and \u2028/\u2029, which would shift every line number after one.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The source's lines as Python numbers them (line N is item N-1), without line breaks."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the text ended with a line break; no empty line follows it
    return lines


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
    import bisect

    offsets = line_offsets(text)
    index = bisect.bisect_right(offsets, offset) - 1
    return index + 1, offset - offsets[index]




class _AllPlaced(Exception):
    """Raised inside codegen once every wanted node has its range: the rest is not needed."""


_recording_state_class = None


def _recording_state():
    """A libcst position-tracking codegen state that stops once the wanted nodes are placed.

    libcst's PositionProvider runs the same codegen, but through MetadataWrapper and for the
    whole file; for the handful of nodes a file reports, this costs a fraction of it.
    """
    global _recording_state_class
    if _recording_state_class is None:
        from libcst.metadata.position_provider import PositionProvidingCodegenState

        class RecordingState(PositionProvidingCodegenState):
            def after_codegen(self, node) -> None:
                super().after_codegen(node)
                if node in self.wanted:
                    self.wanted.discard(node)
                    if not self.wanted:
                        raise _AllPlaced

        _recording_state_class = RecordingState
    return _recording_state_class


class _RangeStore:
    """Stands in for the metadata provider the codegen state writes ranges into."""

    def __init__(self) -> None:
        self._computed: dict = {}


def node_ranges(module, nodes) -> dict:
    """libcst CodeRanges (1-based lines, 0-based code-point columns, as PositionProvider
    gives them) for `nodes` of `module`, computed by generating code only as far as needed."""
    store = _RangeStore()
    state = _recording_state()(
        default_indent=module.default_indent, default_newline=module.default_newline, provider=store
    )
    state.wanted = set(nodes)
    if state.wanted:
        try:
            module._codegen(state)
        except Exception:
            # Stopping early unwinds through enclosing nodes whose `finally` blocks look up
            # children that were never reached; anything raised after the last wanted node
            # was placed is that, and harmless.
            if state.wanted:
                raise
    return {node: store._computed[node] for node in nodes}
