"""REDCap data dictionary (REDCap's documented 18 columns) and formula-safe CSV cells."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neuroseq.instrument import load_instrument
from neuroseq.instrument.loader import DATA_DIR
from neuroseq.interop.csv_safety import SafeWriter, safe_cell
from neuroseq.interop.redcap import write_redcap_dictionary

INST = load_instrument("1")

# REDCap's data dictionary header, column for column (REDCap "Data Dictionary" download,
# as in REDCap's "Data Dictionary Template" CSV).
REDCAP_HEADER = (
    "Variable / Field Name,Form Name,Section Header,Field Type,Field Label,"
    '"Choices, Calculations, OR Slider Labels",Field Note,'
    "Text Validation Type OR Show Slider Number,Text Validation Min,Text Validation Max,"
    "Identifier?,Branching Logic (Show field only if...),Required Field?,Custom Alignment,"
    "Question Number (surveys only),Matrix Group Name,Matrix Ranking?,Field Annotation"
)
REDCAP_FIELD_TYPES = {
    "text", "notes", "dropdown", "radio", "checkbox", "calc", "descriptive", "yesno",
    "truefalse", "file", "slider", "sql",
}  # fmt: skip


def dictionary(inst=INST) -> list[list[str]]:
    buffer = io.StringIO()
    write_redcap_dictionary(inst, buffer)
    text = buffer.getvalue()
    assert text.splitlines()[0] == REDCAP_HEADER
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("version", sorted(p.name[1:] for p in DATA_DIR.glob("v*")))
def test_redcap_dictionary_follows_redcaps_rules(version):
    inst = load_instrument(version)
    header, *rows = dictionary(inst)
    names = [r[0] for r in rows]
    assert names[0] == "record_id"  # REDCap: the first field is the record id
    assert len(names) == len(set(names))
    for row in rows:
        assert len(row) == 18
        assert re.fullmatch(r"[a-z][a-z0-9_]*", row[0]) and len(row[0]) <= 100, row[0]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", row[1]), row[1]
        assert row[3] in REDCAP_FIELD_TYPES
        if row[3] in {"radio", "dropdown"}:
            for choice in row[5].split(" | "):
                code, label = choice.split(", ", 1)
                assert re.fullmatch(r"[a-z0-9_]+", code) and label and "|" not in label
    assert {f"fn_{f}" for f in inst.function_ids} <= set(names)
    assert {f"flag_{f.id}" for f in getattr(inst, "flags", ())} <= set(names)
    by_name = {r[0]: r for r in rows}
    # Statuses 0-3 in order, with the function's own anchors as labels.
    first = inst.functions[0]
    assert by_name[f"fn_{first.id}"][5].startswith(f"0, {first.anchors.s0.split('|')[0][:10]}")
    assert by_name["birth_date"][10] == "y" and by_name["assessment_date"][7] == "date_ymd"


@given(st.text(max_size=30))
def test_no_text_cell_starts_a_formula(text):
    cell = safe_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or re.fullmatch(
        r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell
    )
    assert cell.removeprefix("'") == text or cell == text


def test_formula_cells_are_escaped_and_numbers_kept():
    buffer = io.StringIO()
    SafeWriter(buffer).writerow(['=HYPERLINK("http://x")', "@SUM(A1)", "-2+3", -0.5, None, True])
    row = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert row == ['\'=HYPERLINK("http://x")', "'@SUM(A1)", "'-2+3", "-0.5", "", "true"]
