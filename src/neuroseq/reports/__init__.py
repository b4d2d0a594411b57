"""Report content: what a printed report says, built from one assessment (pure, no Django).

The same functions feed the PDF from the app and from ``neuroseq report``, so both print the
same numbers as the pages (scores, maps, age equivalents, plan, progress).
"""

from neuroseq.reports.content import (
    AUDIENCES,
    Report,
    ReportError,
    age_equivalent_words,
    build_report,
    map_rows,
)

__all__ = [
    "AUDIENCES",
    "Report",
    "ReportError",
    "age_equivalent_words",
    "build_report",
    "map_rows",
]
