"""The three-way merge of concurrent draft edits (pure, no database).

The rule is the one version-control systems use for a single value (e.g. ``git
merge-file``'s line rule): a change by one side only is taken; the same change by both
is taken once; different changes by both sides are a conflict, and a conflict is never
applied. Hypothesis checks it over every combination of base / theirs / mine.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from neuroseq.web.editor.content import Content, Op, changed_paths, merge

RATING = st.one_of(st.none(), st.integers(0, 3))
PATH = "functional.sleep_regulation"


def content(**functional: int | None) -> Content:
    return Content({"assessment_date": "2026-01-10", "functional": dict(functional)}, {})


@given(base=RATING, theirs=RATING, mine=RATING)
def test_a_single_value_merges_like_a_three_way_merge(base, theirs, mine):
    merged, conflicts = merge(
        content(sleep_regulation=base),
        content(sleep_regulation=theirs),
        [Op("set", PATH, value=mine)],
    )
    value = merged.get(PATH)
    if theirs == base:  # only I changed it (or nobody did)
        assert (value, conflicts) == (mine, [])
    elif mine == theirs:  # we both made the same change
        assert (value, conflicts) == (theirs, [])
    else:  # they changed it, and I set something else (even the value I saw): a conflict
        # that keeps their value until I choose
        assert value == theirs
        assert [(c.path, c.yours, c.theirs, c.base) for c in conflicts] == [
            (PATH, mine, theirs, base)
        ]


def test_an_unchanged_field_in_a_whole_form_does_not_undo_someone_elses_change():
    """A form that posts every field must only send the fields its user changed; a value
    equal to what the page showed is not a change (the editor drops such ops)."""
    base = content(sleep_regulation=1, continence=2)
    theirs = content(sleep_regulation=3, continence=2)
    merged, conflicts = merge(base, theirs, [Op("set", "functional.continence", value=0)])
    assert conflicts == []
    assert merged.get(PATH) == 3 and merged.get("functional.continence") == 0


def test_seen_value_replaces_the_base_revision():
    """The autosave script says which value its page showed; that is what counts."""
    base = content(sleep_regulation=1)
    current = content(sleep_regulation=2)  # someone else set 2; this page learnt it
    merged, conflicts = merge(base, current, [Op("set", PATH, value=0, seen=2)])
    assert conflicts == [] and merged.get(PATH) == 0


NEGLECT = {"type": "neglect", "period": "m2_6", "severity": 3, "chronicity": "chronic"}
ALCOHOL = {"type": "intrauterine_alcohol", "period": "prenatal", "severity": 2}


def history(*entries: dict) -> Content:
    return Content({"assessment_date": "2026-01-10", "adversities": list(entries)}, {})


def test_adversities_added_by_two_editors_are_both_kept_and_the_same_one_once():
    base = history()
    theirs = history(NEGLECT)
    merged, conflicts = merge(base, theirs, [Op("add", "adversities", value=ALCOHOL)])
    assert conflicts == []
    assert [e["type"] for e in merged.get("adversities")] == ["neglect", "intrauterine_alcohol"]
    twice, _ = merge(base, theirs, [Op("add", "adversities", value=NEGLECT)])
    assert len(twice.get("adversities")) == 1


def test_removing_what_someone_else_removed_is_fine_editing_it_is_a_conflict():
    base = history(NEGLECT, ALCOHOL)
    theirs = history(ALCOHOL)
    removed, conflicts = merge(base, theirs, [Op("remove", "adversities", old=NEGLECT)])
    assert conflicts == [] and [e["type"] for e in removed.get("adversities")] == [
        "intrauterine_alcohol"
    ]
    milder = {**NEGLECT, "severity": 1}
    _, conflicts = merge(base, theirs, [Op("replace", "adversities", value=milder, old=NEGLECT)])
    assert len(conflicts) == 1 and conflicts[0].theirs is None


def test_changed_paths_names_every_difference_and_nothing_else():
    before = Content(
        {"assessment_date": "2026-01-10", "functional": {"continence": 2, "sleep_regulation": 1}},
        {"history": "none"},
    )
    after = Content(
        {
            "assessment_date": "2026-01-10",
            "functional": {"continence": 2, "sleep_regulation": None},
            "adversities": [NEGLECT],
        },
        {},
    )
    assert sorted(changed_paths(before, after)) == [
        "adversities",
        "functional.sleep_regulation",
        "marks.history",
    ]
