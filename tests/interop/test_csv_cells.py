"""Formula escaping for every CSV cell we write (issue 10, finding 6: CSV injection).

OWASP's "CSV Injection" page lists the characters that make a spreadsheet treat a cell as
a formula: ``=``, ``+``, ``-``, ``@``, tab and carriage return. Such a cell gets a leading
apostrophe; reading our own CSV removes it again, so values survive the round trip.
"""

from __future__ import annotations

import copy
import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument import load_instrument
from neuroseq.interop.assessment_csv import columns, record_to_row, row_to_record
from neuroseq.interop.csv_cells import FORMULA_START, safe_cell, unescape_cell

INST = load_instrument("1")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),
        ("RS-0001", "RS-0001"),
        ("-1.5", "-1.5"),  # a plain number is data, not a formula
        (-3, "-3"),
        (None, ""),
        (True, "True"),
    ],
)
def test_cells_that_start_a_formula_are_escaped(value, written):
    assert safe_cell(value) == written


@given(st.text())
def test_escaping_is_safe_and_reversible(text):
    cell = safe_cell(text)
    assert cell[:1] not in FORMULA_START or _is_number(cell)
    assert unescape_cell(cell) == text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_assessment_csv_escapes_text_and_reads_it_back():
    record = copy.deepcopy(WORKED_EXAMPLE)
    record["client"]["pseudonym"] = "=cmd|' /C calc'!A0"
    record["rater"] = "@rater"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns(INST))
    writer.writerow(record_to_row(record, INST))
    buffer.seek(0)
    raw = list(csv.reader(io.StringIO(buffer.getvalue())))[1]
    assert all(cell[:1] not in FORMULA_START or _is_number(cell) for cell in raw)
    (row,) = list(csv.DictReader(buffer))
    back = row_to_record(row)
    assert back["client"]["pseudonym"] == "=cmd|' /C calc'!A0"
    assert back["rater"] == "@rater"
