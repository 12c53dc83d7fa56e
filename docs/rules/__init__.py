"""Rule documentation pages; a package so `asynclint rule CODE` finds them in any install."""
