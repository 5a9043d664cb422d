"""Results: what a run produced and where it is kept — Google Benchmark JSON (gbjson), the record
and its context, the store (store: one schema on SQLite or PostgreSQL; storeloc: --store) and
commit order.

Standard library only at import time (store imports psycopg2 when a URL is opened).
"""
