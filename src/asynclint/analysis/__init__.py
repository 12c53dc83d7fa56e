"""Facts about code that several checks share: scopes and qualified names, receiver types,
async context and loop context. Computed in one traversal (`walker.py`); checks only read them.
"""
