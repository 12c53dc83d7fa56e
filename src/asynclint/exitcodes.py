"""Exit statuses, as ruff has them."""

CLEAN = 0  # nothing found
FINDINGS = 1  # findings reported
ERROR = 2  # usage, config or internal error
