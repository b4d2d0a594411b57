"""The certification rule, evaluated as a pure function of attempts, certificates and ``today``.

Nothing here reads the clock: callers pass ``today``, so the rule and the expiry can be
tested on any date. The thresholds live in ``data/certification.yaml``.

Which attempts count: only attempts in the last ``window_months``, and only a first look
at a vignette. The key is shown after an attempt, so rating the same vignette again within
``repeat_after_months`` is practice and does not count. The counted attempts are taken in
order; the rule is met when the most recent ``consecutive`` of them all reach the level's
thresholds (a miss restarts the run), and a valid certificate at the level below is held.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from neuroseq.training.schema import CertificationRules, LevelRule


@dataclass(frozen=True)
class AttemptRecord:
    vignette_id: str
    vignette_version: int
    on: date
    icc_a1: float | None
    within_one: float | None


@dataclass(frozen=True)
class HeldCertificate:
    level: str
    issued_on: date
    expires_on: date
    revoked: bool = False


@dataclass(frozen=True)
class CountedAttempt:
    attempt: AttemptRecord
    counts: bool
    passes: bool
    note: str


@dataclass(frozen=True)
class RuleResult:
    level: LevelRule
    met: bool
    reasons: tuple[str, ...]  # why not met (empty when met), in plain words
    run: int  # counted passing attempts in a row, most recent last
    needed: int
    attempts: tuple[CountedAttempt, ...]

    @property
    def progress(self) -> str:
        return f"{min(self.run, self.needed)} of {self.needed} in a row"


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later; the last day of the month when that day does not exist."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(issued_on: date, rules: CertificationRules) -> date:
    """First day on which a certificate issued on ``issued_on`` is no longer valid."""
    return add_months(issued_on, rules.expiry_months)


def is_current(cert: HeldCertificate, today: date) -> bool:
    return not cert.revoked and cert.issued_on <= today < cert.expires_on


def holds(
    level_id: str, held: Sequence[HeldCertificate], today: date, rules: CertificationRules
) -> HeldCertificate | None:
    """A current certificate at ``level_id`` or higher (a higher level implies lower ones)."""
    rank = rules.level(level_id).rank
    current = [c for c in held if is_current(c, today) and rules.level(c.level).rank >= rank]
    current.sort(key=lambda c: (c.expires_on, rules.level(c.level).rank), reverse=True)
    return current[0] if current else None


def renewal_due(cert: HeldCertificate, today: date, rules: CertificationRules) -> bool:
    """Current, and expiring within the renewal window: time to re-certify."""
    return is_current(cert, today) and (cert.expires_on - today).days <= rules.renewal_window_days


def _passes(attempt: AttemptRecord, level: LevelRule) -> bool:
    return (
        attempt.icc_a1 is not None
        and attempt.icc_a1 >= level.min_icc_a1
        and attempt.within_one is not None
        and attempt.within_one >= level.min_within_one
    )


def classify(
    attempts: Sequence[AttemptRecord],
    level: LevelRule,
    today: date,
    rules: CertificationRules,
    after: date | None = None,
) -> tuple[CountedAttempt, ...]:
    """Every attempt up to ``today`` in date order, with whether it counts and passes.

    ``after``: attempts on or before this day do not count (an earlier certificate used them).
    """
    since = add_months(today, -rules.window_months)
    last_seen: dict[str, date] = {}
    out: list[CountedAttempt] = []
    for attempt in sorted((a for a in attempts if a.on <= today), key=lambda a: a.on):
        previous = last_seen.get(attempt.vignette_id)
        last_seen[attempt.vignette_id] = attempt.on
        if attempt.on < since:
            out.append(CountedAttempt(attempt, False, False, "older than the window"))
        elif after is not None and attempt.on <= after:
            out.append(CountedAttempt(attempt, False, False, "used by an earlier certificate"))
        elif previous is not None and attempt.on < add_months(previous, rules.repeat_after_months):
            out.append(CountedAttempt(attempt, False, False, "repeat of a vignette: practice"))
        else:
            ok = _passes(attempt, level)
            out.append(CountedAttempt(attempt, True, ok, "meets" if ok else "below threshold"))
    return tuple(out)


def evaluate(
    level_id: str,
    attempts: Sequence[AttemptRecord],
    held: Sequence[HeldCertificate],
    today: date,
    rules: CertificationRules,
) -> RuleResult:
    """Is the rule for ``level_id`` met on ``today``? With the reasons when it is not."""
    level = rules.level(level_id)
    # Re-certification rests on new work: attempts up to the issue day of an earlier
    # certificate at this level were its evidence and do not count again.
    issued = [c.issued_on for c in held if c.level == level_id and not c.revoked]
    after = max(issued) if issued else None
    classified = classify(attempts, level, today, rules, after=after)
    run = 0
    for item in reversed([c for c in classified if c.counts]):
        if not item.passes:
            break
        run += 1
    reasons: list[str] = []
    if run < level.consecutive:
        reasons.append(
            f"needs {level.consecutive} counted vignettes in a row with ICC(A,1) of at least "
            f"{level.min_icc_a1:.2f} and within-one agreement of at least "
            f"{level.min_within_one:.0%}; the current run is {run}"
        )
    if level.requires_level is not None and holds(level.requires_level, held, today, rules) is None:
        reasons.append(f"needs a valid {rules.level(level.requires_level).label} certificate first")
    return RuleResult(level, not reasons, tuple(reasons), run, level.consecutive, classified)


def days_left(cert: HeldCertificate, today: date) -> int:
    return (cert.expires_on - today).days


__all__ = [
    "AttemptRecord",
    "CountedAttempt",
    "HeldCertificate",
    "RuleResult",
    "add_months",
    "classify",
    "days_left",
    "evaluate",
    "expiry_for",
    "holds",
    "is_current",
    "renewal_due",
]
