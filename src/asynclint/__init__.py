"""asynclint: finds and fixes performance anti-patterns in async Python code."""

__version__ = "0.1.0"
