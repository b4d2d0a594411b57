"""The staffing summary (spread, disagreements, pairwise kappa, ICC) against published values.

Shrout PE, Fleiss JL (1979) Psychol Bull 86:420-428, Table 2 (6 targets x 4 judges): the
paper prints ICC(2,1) = .29; the 95% limits 0.019 to 0.76 are those of R's psych::ICC for
the same matrix. The staffing summary must give exactly what the reliability package
gives for each pair (weighted kappa) and overall (ICC(A,1) = ICC2).
"""

from __future__ import annotations

import pytest

from neuroseq.reliability import cohen_kappa, icc
from neuroseq.reliability.staffing import as_dict, load_rules, summarise

SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def by_rater(rows: list[list[int | None]]) -> dict[str, dict[str, int | None]]:
    raters = [f"judge {j + 1}" for j in range(len(rows[0]))]
    return {r: {f"t{i}": row[j] for i, row in enumerate(rows)} for j, r in enumerate(raters)}


def test_icc_is_the_published_shrout_fleiss_icc21() -> None:
    items = [f"t{i}" for i in range(6)]
    summary = summarise(by_rater(SHROUT_FLEISS), items, categories=range(1, 11))
    assert summary.icc is not None
    assert round(summary.icc.value, 2) == 0.29
    assert summary.icc.ci_low == pytest.approx(0.019, abs=0.0005)
    assert summary.icc.ci_high == pytest.approx(0.76, abs=0.005)
    assert summary.icc_items == 6


def test_rules_are_read_from_the_versioned_data() -> None:
    rules = load_rules()
    assert (rules.disagreement_levels, rules.kappa_weights, rules.icc_form) == (
        2,
        "quadratic",
        "ICC2",
    )


def test_spread_median_disagreements_and_missing_ratings() -> None:
    rows: list[list[int | None]] = [
        [0, 0, 1],  # one level: no disagreement; median 0
        [1, 3, 2],  # two levels apart; median 2
        [2, None, 3],  # one rater did not rate: median of the two is 2.5, proposed 2
        [3, 3, 3],
        [None, None, None],
        [0, None, 2],  # median 1, a level of its own: proposed 1, and two levels apart
    ]
    items = [f"t{i}" for i in range(6)]
    summary = summarise(by_rater(rows), items)
    spread = {s.item: s for s in summary.items}
    assert [s.item for s in summary.disagreements] == ["t1", "t5"]
    assert (spread["t5"].median, spread["t5"].proposed) == (1.0, 1)
    assert (spread["t0"].median, spread["t0"].proposed) == (0.0, 0)
    assert (spread["t2"].median, spread["t2"].proposed, spread["t2"].n_rated) == (2.5, 2, 2)
    assert spread["t4"].median is None and spread["t4"].spread is None
    # the ICC takes only items every rater rated; kappa the items both raters rated
    assert summary.icc_items == 3
    complete = [r for r in rows if None not in r]
    assert summary.icc is not None
    assert summary.icc.value == pytest.approx(icc(complete, "ICC2").value)
    pair = next(p for p in summary.pairs if (p.rater_a, p.rater_b) == ("judge 1", "judge 3"))
    expected = cohen_kappa([0, 1, 2, 3, 0], [1, 2, 3, 3, 2], "quadratic", categories=[0, 1, 2, 3])
    assert pair.n_items == 5 and pair.kappa is not None
    assert pair.kappa.value == pytest.approx(expected.value)
    assert as_dict(summary)["disagreements"] == ["t1", "t5"]


def test_undefined_statistics_say_why_instead_of_failing() -> None:
    rows: list[list[int | None]] = [[2, 2], [2, 2], [2, 2]]
    summary = summarise(by_rater(rows), ["t0", "t1", "t2"])
    assert summary.icc is None and "no variance" in summary.icc_problem
    assert summary.pairs[0].kappa is None and "single category" in summary.pairs[0].problem
