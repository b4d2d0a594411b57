"""Hypothesis strategies for whole assessment records, identifying fields included.

A helper module (not a test file). Unlike the scoring strategies, records here carry
pseudonyms, birth dates, raters and free-text notes, because interchange must keep them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from neuroseq.assessment import DAYS_PER_MONTH
from neuroseq.instrument import Instrument

RATING = st.one_of(st.none(), st.integers(0, 3))
# fhir.resources checks FHIR's string pattern [ \r\n\t\S]+ with Python's Unicode \S, so a
# string starting with another Unicode space (e.g. U+2003) fails its model though FHIR's
# XML-Schema \S allows it: docs/interop.md lists this; the records here avoid it.
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
).filter(lambda s: s == "" or not s[0].isspace() or s[0] in " \t\r\n")


@st.composite
def records(draw: st.DrawFn, inst: Instrument) -> dict[str, Any]:
    """A valid assessment dict; "not rated" (null) and "not listed" (absent) both occur."""
    # From 2008 so that an 18-year-old was born on or after 1990-01-01 (the format's range).
    day = draw(st.dates(dt.date(2008, 1, 1), dt.date(2030, 12, 31)))
    record: dict[str, Any] = {
        "instrument_version": inst.version,
        "synthetic": draw(st.booleans()),
        "assessment_date": day.isoformat(),
        "client": {},
    }
    if draw(st.booleans()):
        record["client"]["pseudonym"] = draw(
            st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=12)
        )
    age_mode = draw(st.sampled_from(["birth", "months", "both"]))
    if age_mode == "months":
        age = draw(st.floats(0, 216, allow_nan=False, allow_infinity=False))
        record["chronological_age_months"] = age
    else:
        birth = day - dt.timedelta(days=draw(st.integers(0, int(216 * DAYS_PER_MONTH))))
        record["client"]["birth_date"] = birth.isoformat()
        age = (day - birth).days / DAYS_PER_MONTH
        if age_mode == "both":
            record["chronological_age_months"] = round(age, 3)
    if draw(st.booleans()):
        record["rater"] = draw(TEXT)
    lived = [p.id for p in inst.periods if p.start_months <= age]
    pairs = [
        (t.id, p) for p in lived for t in inst.adversity_types if p in inst.allowed_periods(t.id)
    ]
    adversities = []
    for _ in range(draw(st.integers(0, 4))):
        kind, period = draw(st.sampled_from(pairs))
        adversity = {
            "type": kind,
            "period": period,
            "severity": draw(st.integers(1, 3)),
            "chronicity": draw(st.sampled_from([c.id for c in inst.chronicity])),
        }
        if draw(st.booleans()):
            adversity["note"] = draw(TEXT)
        adversities.append(adversity)
    record["adversities"] = adversities
    history: dict[str, dict[str, int | None]] = {}
    for period in lived:
        if draw(st.booleans()):
            items = draw(st.lists(st.sampled_from([h.id for h in inst.history_items]), unique=True))
            history[period] = {i: draw(RATING) for i in items}
    record["relational_history"] = history
    current = draw(st.lists(st.sampled_from([c.id for c in inst.current_items]), unique=True))
    record["current_relational_health"] = {c: draw(RATING) for c in current}
    chosen = draw(st.lists(st.sampled_from(list(inst.function_ids)), unique=True))
    record["functional"] = {f: draw(RATING) for f in chosen}
    flag_ids = [f.id for f in getattr(inst, "flags", ())]  # instrument v2 on
    if flag_ids:
        ticked = draw(st.lists(st.sampled_from(flag_ids), unique=True))
        record["clinical_flags"] = {f: draw(st.booleans()) for f in ticked}
    return record
