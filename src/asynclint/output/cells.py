"""Where a finding lies in a Jupyter notebook, as the formats write it (see the package's
docstring). A leaf module: the formats import it, and it imports no format."""

from __future__ import annotations


def cell_location(diagnostic, span=None) -> str | None:
    """`cell N:line:column` (1-based line and column in the cell) for a finding in a notebook
    (at `span`, the finding's own by default); None for a plain source file."""
    position = diagnostic.cell_position(span)
    if position is None:
        return None
    return f"cell {position.cell}:{position.line}:{position.column + 1}"


def cell_prefix(diagnostic, span=None) -> str:
    """What starts a message that must name the cell itself: `cell N:line:column: `, or
    nothing for a plain source file."""
    location = cell_location(diagnostic, span)
    return "" if location is None else f"{location}: "
