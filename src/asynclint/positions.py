"""Every conversion between asynclint's internal positions and what consumers expect.

Internal (and libcst's) convention: line 1-based, column 0-based, in Unicode code points.

- Text, JSON, SARIF, GitHub and GitLab outputs: line and column both 1-based, code points.
- LSP: line and character both 0-based, counted in UTF-16 code units (the protocol's default
  position encoding) unless the client negotiated another.
"""

from __future__ import annotations


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
