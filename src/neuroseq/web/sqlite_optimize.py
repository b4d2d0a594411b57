"""Keep SQLite's query planner informed: ``PRAGMA optimize`` at the end of each request.

Without statistics, SQLite's planner guesses, and at 100,000 clients some guesses are
slow (a search walks the organisation's whole index instead of fetching the few matches
by key). SQLite's documentation recommends running ``PRAGMA optimize`` before a
connection closes: it gathers statistics only for tables the connection used whose
indexes were never analysed or have grown a lot, sampling at most ``analysis_limit`` rows
(set in the connection's ``init_command``), and is a no-op otherwise. PostgreSQL keeps its
own statistics (autovacuum), so this does nothing there.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse


class SQLiteOptimizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if connection.vendor == "sqlite" and connection.connection is not None:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA optimize")
            except DatabaseError:  # a busy database: the next request tries again
                pass
        return response
