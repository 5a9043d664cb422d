"""Results: what a run produced and where it is kept — Google Benchmark JSON (gbjson), the record
and its context, the SQLite and PostgreSQL stores (store, pgstore, storeloc) and commit order.

Standard library only at import time (pgstore imports psycopg2 when a URL is opened).
"""
