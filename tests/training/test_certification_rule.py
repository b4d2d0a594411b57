"""The certification rule and expiry, on constructed histories with ``today`` passed in."""

from __future__ import annotations

from datetime import date

import pytest

from neuroseq.training import (
    AttemptRecord,
    HeldCertificate,
    add_months,
    evaluate,
    expiry_for,
    holds,
    is_current,
    load_rules,
    renewal_due,
)

RULES = load_rules()
TODAY = date(2026, 6, 1)


def attempt(vignette: str, on: date, icc: float | None, within: float = 1.0) -> AttemptRecord:
    return AttemptRecord(vignette, 1, on, icc, within)


def cert(level: str, issued: date, revoked: bool = False) -> HeldCertificate:
    return HeldCertificate(level, issued, expiry_for(issued, RULES), revoked)


def test_rule_is_in_data_and_thresholds_rise_with_level():
    rater, lead, trainer = (RULES.level(x) for x in ("rater", "staffing_lead", "trainer"))
    assert rater.min_icc_a1 == 0.80 and rater.consecutive == 3
    assert rater.min_icc_a1 < lead.min_icc_a1 < trainer.min_icc_a1
    assert (rater.requires_level, lead.requires_level, trainer.requires_level) == (
        None,
        "rater",
        "staffing_lead",
    )
    assert RULES.expiry_months == 12


def test_three_consecutive_vignettes_at_080_certify_a_rater():
    history = [
        attempt("a", date(2026, 5, 1), 0.80),
        attempt("b", date(2026, 5, 8), 0.86),
        attempt("c", date(2026, 5, 15), 0.91),
    ]
    result = evaluate("rater", history, [], TODAY, RULES)
    assert result.met and result.reasons == () and result.run == 3


def test_a_miss_restarts_the_run():
    history = [
        attempt("a", date(2026, 5, 1), 0.90),
        attempt("b", date(2026, 5, 8), 0.79),
        attempt("c", date(2026, 5, 15), 0.95),
        attempt("d", date(2026, 5, 22), 0.95),
    ]
    result = evaluate("rater", history, [], TODAY, RULES)
    assert not result.met
    assert result.run == 2 and result.progress == "2 of 3 in a row"
    assert "current run is 2" in result.reasons[0]


def test_undefined_icc_or_poor_within_one_does_not_pass():
    history = [
        attempt("a", date(2026, 5, 1), 0.9),
        attempt("b", date(2026, 5, 8), 0.9),
        attempt("c", date(2026, 5, 15), None),
    ]
    assert evaluate("rater", history, [], TODAY, RULES).run == 0
    history[2] = attempt("c", date(2026, 5, 15), 0.9, within=0.80)
    assert evaluate("rater", history, [], TODAY, RULES).run == 0


def test_repeating_a_vignette_within_six_months_is_practice():
    history = [
        attempt("a", date(2026, 4, 1), 0.9),
        attempt("b", date(2026, 4, 8), 0.9),
        attempt("a", date(2026, 5, 1), 0.99),
    ]
    result = evaluate("rater", history, [], TODAY, RULES)
    assert result.run == 2 and not result.met
    assert [c.counts for c in result.attempts] == [True, True, False]
    # Six months after the first look, the same vignette counts again.
    history[2] = attempt("a", date(2026, 10, 1), 0.99)
    assert evaluate("rater", history, [], date(2026, 10, 2), RULES).met


def test_attempts_older_than_the_window_or_after_today_do_not_count():
    history = [
        attempt("a", date(2025, 5, 31), 0.9),  # 12 months and a day before TODAY
        attempt("b", date(2026, 5, 8), 0.9),
        attempt("c", date(2026, 5, 15), 0.9),
        attempt("d", date(2026, 6, 2), 0.9),  # tomorrow
    ]
    result = evaluate("rater", history, [], TODAY, RULES)
    assert result.run == 2 and not result.met
    # The next day "a" has left the window and "d" has happened: b, c, d are a run.
    assert evaluate("rater", history, [], date(2026, 6, 2), RULES).met
    history[0] = attempt("a", date(2025, 6, 1), 0.9)  # exactly 12 months: still counts
    assert evaluate("rater", history, [], TODAY, RULES).met


def test_staffing_lead_needs_a_valid_rater_certificate_and_higher_agreement():
    history = [attempt(v, date(2026, 5, d), 0.88, 0.95) for v, d in (("a", 1), ("b", 8), ("c", 15))]
    alone = evaluate("staffing_lead", history, [], TODAY, RULES)
    assert not alone.met and alone.run == 3
    assert alone.reasons == ("needs a valid rater certificate first",)
    assert evaluate("staffing_lead", history, [cert("rater", date(2026, 1, 1))], TODAY, RULES).met
    expired = cert("rater", date(2025, 6, 1))
    assert not evaluate("staffing_lead", history, [expired], TODAY, RULES).met
    # 0.88 is enough for a staffing lead but not for a trainer.
    lead = cert("staffing_lead", date(2026, 1, 1))
    trainer = evaluate("trainer", history, [lead], TODAY, RULES)
    assert not trainer.met and trainer.run == 0


def test_certificate_expires_at_exactly_twelve_months():
    issued = date(2025, 3, 15)
    c = cert("rater", issued)
    assert c.expires_on == date(2026, 3, 15)
    assert is_current(c, date(2026, 3, 14))
    assert not is_current(c, date(2026, 3, 15))
    assert not is_current(c, date(2025, 3, 14))  # not before it was issued


def test_leap_day_certificate_expires_on_the_last_day_of_february():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_a_higher_level_implies_lower_ones_and_revoked_means_none():
    trainer = cert("trainer", date(2026, 1, 1))
    assert holds("rater", [trainer], TODAY, RULES) == trainer
    assert holds("staffing_lead", [trainer], TODAY, RULES) == trainer
    rater = cert("rater", date(2026, 1, 1))
    assert holds("staffing_lead", [rater], TODAY, RULES) is None
    revoked = cert("trainer", date(2026, 1, 1), revoked=True)
    assert holds("rater", [revoked], TODAY, RULES) is None


@pytest.mark.parametrize(("days_before", "due"), [(61, False), (60, True), (1, True), (0, False)])
def test_renewal_is_due_in_the_last_sixty_days(days_before: int, due: bool):
    c = cert("staffing_lead", date(2025, 9, 1))
    today = date.fromordinal(c.expires_on.toordinal() - days_before)
    assert renewal_due(c, today, RULES) is due


def test_recertification_needs_new_attempts_after_the_previous_certificate():
    history = [attempt(v, date(2025, 8, d), 0.9) for v, d in (("a", 1), ("b", 8), ("c", 15))]
    first = cert("rater", date(2025, 8, 20))
    renewal_day = date(2026, 7, 1)  # in the renewal window; the old attempts are in the window
    assert evaluate("rater", history, [], renewal_day, RULES).met
    again = evaluate("rater", history, [first], renewal_day, RULES)
    assert not again.met and again.run == 0
    assert {c.note for c in again.attempts} == {"used by an earlier certificate"}
    history += [attempt(v, date(2026, 6, d), 0.9) for v, d in (("d", 1), ("e", 8), ("f", 15))]
    assert evaluate("rater", history, [first], renewal_day, RULES).met
