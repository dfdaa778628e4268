"""Questions the explorer asks of an in-memory graph (placeholder; filled when queries.py is split)."""
