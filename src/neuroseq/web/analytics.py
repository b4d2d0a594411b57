"""The analytics page's numbers, aggregated in the database over the stored scores.

Nothing is re-scored per request and no Python loop runs over the records: the least
squares models need only counts, means and cross-products, which SQL computes
(``SUM(x*y)``), and :class:`neuroseq.cohort.analysis.CohortAnalysis` fits exactly what it
would fit from the records themselves (tests/web/test_analytics.py checks that against
the domain code). Outcomes pair each client's first and latest stored assessment with
window functions and count the reliable changes in one SQL statement. The number of
queries is the same at 1k and 100k assessments; only the plot's random sample of at most
2,000 points leaves the database.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import numpy as np
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.expressions import CombinedExpression
from django.utils import timezone

from neuroseq.cohort.analysis import (
    AGE,
    CHALLENGES,
    COLOURS,
    CURRENT,
    HISTORY,
    OUTCOMES,
    CohortAnalysis,
    CohortFit,
    Colour,
    Outcome,
)
from neuroseq.cohort.errors import CohortError
from neuroseq.cohort.moments import Moments
from neuroseq.cohort.outcomes import (
    ALL,
    CLASSES,
    GroupOutcome,
    Outcomes,
    Scope,
    ScopeOutcome,
    scopes,
)
from neuroseq.cohort.outcomes_chart import render_outcomes_chart
from neuroseq.cohort.plot import render_cohort_plot
from neuroseq.cohort.regression import LineFit
from neuroseq.instrument import Instrument, load_instrument
from neuroseq.progress.rci import RELIABLE_THRESHOLD, standard_error_of_difference
from neuroseq.web.models import AnalyticsSnapshot, StoredScores
from neuroseq.web.models.analytics import DOMAIN_FIELDS, PERIOD_FIELDS, REGION_FIELDS
from neuroseq.web.services import stored_scores
from neuroseq.web.services.audit import Actor

SAMPLE_SIZE = 2_000
#: Stored assessments in an organisation above which the page shows the latest snapshot
#: and refits in the background (a live fit of 100k rows takes seconds).
LARGE = 20_000
REFRESH_AGAIN_AFTER = dt.timedelta(minutes=10)  # a refit that never finished is retried


def field_of(name: str) -> str:
    """Stored field of a column name of the batch scorer / cohort analysis."""
    fixed = {
        CHALLENGES: "challenges",
        HISTORY: "relational_history",
        CURRENT: "relational_current",
        AGE: "age_months",
        "age_typical_percent": "age_typical_percent",
        "functional_score": "functional_score",
    }
    if name in fixed:
        return fixed[name]
    if name.startswith("period_load."):
        return PERIOD_FIELDS[name.removeprefix("period_load.")]
    raise KeyError(name)


@dataclass(frozen=True)
class Selection:
    organisation_id: int
    team_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def rows(self) -> QuerySet[StoredScores]:
        rows = StoredScores.objects.filter(organisation_id=self.organisation_id)
        if self.team_id is not None:
            rows = rows.filter(client__care_team_id=self.team_id)
        if self.date_from is not None:
            rows = rows.filter(assessed_on__gte=self.date_from)
        if self.date_to is not None:
            rows = rows.filter(assessed_on__lte=self.date_to)
        return rows


def _complete(fields: Sequence[str]) -> Q:
    return Q(**{f"{f}__isnull": False for f in fields})


def moments(rows: QuerySet[StoredScores], names: Sequence[str]) -> Moments:
    """Count, means and centred cross-products of ``names`` over complete rows, in SQL.

    The complete-row condition is a WHERE, evaluated once per row, not a FILTER on each
    of the (p + 1)(p + 2)/2 aggregates.
    """
    fields = [field_of(n) for n in names]
    aggregates: dict[str, Any] = {"n": Count("pk")}
    for i, a in enumerate(fields):
        aggregates[f"m{i}"] = Avg(a)
        for j in range(i, len(fields)):
            product = CombinedExpression(F(a), "*", F(fields[j]), output_field=FloatField())
            aggregates[f"s{i}_{j}"] = Sum(product)
    got = rows.filter(_complete(fields)).aggregate(**aggregates)
    n = int(got["n"] or 0)
    p = len(fields)
    if n == 0:
        return Moments(tuple(names))
    mean = np.array([float(got[f"m{i}"]) for i in range(p)])
    comoment = np.zeros((p, p))
    for i in range(p):
        for j in range(i, p):
            value = float(got[f"s{i}_{j}"]) - n * mean[i] * mean[j]
            comoment[i, j] = comoment[j, i] = value
    return Moments(tuple(names), n=n, mean=mean, comoment=comoment)


def _residual_groups(
    rows: QuerySet[StoredScores], outcome: str
) -> Any:  # a callable the domain's result() calls with the fitted line
    x, y = field_of(CHALLENGES), field_of(outcome)

    def groups(line: LineFit) -> dict[str, tuple[Moments, Moments]]:
        fitted = CombinedExpression(
            Value(line.intercept),
            "+",
            CombinedExpression(Value(line.slope), "*", F(x)),
            output_field=FloatField(),
        )
        annotated = rows.filter(_complete([x, y])).annotate(
            residual=CombinedExpression(F(y), "-", fitted, output_field=FloatField())
        )
        aggregates: dict[str, Any] = {}
        for measure in (HISTORY, CURRENT):
            v = field_of(measure)
            for side, where in (("below", Q(residual__lt=0)), ("above", Q(residual__gt=0))):
                q = where & Q(**{f"{v}__isnull": False})
                square = CombinedExpression(F(v), "*", F(v), output_field=FloatField())
                aggregates[f"{v}_{side}_n"] = Count("pk", filter=q)
                aggregates[f"{v}_{side}_m"] = Avg(v, filter=q)
                aggregates[f"{v}_{side}_ss"] = Sum(square, filter=q)
        got = annotated.aggregate(**aggregates)
        out = {}
        for measure in (HISTORY, CURRENT):
            v = field_of(measure)
            pair = []
            for side in ("below", "above"):
                n = int(got[f"{v}_{side}_n"] or 0)
                if n == 0:
                    pair.append(Moments(("v",)))
                    continue
                mean = float(got[f"{v}_{side}_m"])
                ss = float(got[f"{v}_{side}_ss"]) - n * mean * mean
                pair.append(Moments(("v",), n=n, mean=np.array([mean]), comoment=np.array([[ss]])))
            out[measure] = (pair[0], pair[1])
        return out

    return groups


def latest_per_client(rows: QuerySet[StoredScores]) -> QuerySet[StoredScores]:
    """Each child's latest assessment in ``rows`` (ties on the date: the highest id).

    The cross-sectional line is about children, not assessments: a child assessed four
    times would otherwise weigh four times and the points would not be independent.
    Repeated measures are what the outcomes section uses (first and latest per client).
    """
    newer = rows.filter(client_id=OuterRef("client_id")).filter(
        Q(assessed_on__gt=OuterRef("assessed_on"))
        | Q(assessed_on=OuterRef("assessed_on"), pk__gt=OuterRef("pk"))
    )
    return rows.filter(~Exists(newer))


def fit(
    inst: Instrument,
    rows: QuerySet[StoredScores],
    *,
    outcome: Outcome = "age_typical_percent",
    colour: Colour = "history",
) -> CohortFit:
    """The domain's fit of each child's latest row. Raises CohortError for degenerate data."""
    rows = latest_per_client(rows)
    x, y = field_of(CHALLENGES), field_of(outcome)
    both = _complete([x, y])
    totals = rows.aggregate(
        n=Count("pk"),
        synthetic=Count("pk", filter=Q(synthetic=True)),
        x0=Min(x, filter=both),
        x1=Max(x, filter=both),
        y0=Min(y, filter=both),
        y1=Max(y, filter=both),
    )
    colour_field = field_of(COLOURS[colour])
    sample = list(
        rows.filter(both).order_by("lineage").values_list(x, y, colour_field)[:SAMPLE_SIZE]
    )
    analysis = CohortAnalysis(inst, outcome=outcome, colour=colour)
    try:
        analysis.load_summaries(
            line=moments(rows, analysis.line.names),
            relational={m: moments(rows, analysis.relational[m].names) for m in (HISTORY, CURRENT)},
            multiple=moments(rows, analysis.multiple.names),
            timing=moments(rows, analysis.timing.names),
            n_records=int(totals["n"]),
            n_synthetic=int(totals["synthetic"]),
            x_range=(_num(totals["x0"], np.inf), _num(totals["x1"], -np.inf)),
            y_range=(_num(totals["y0"], np.inf), _num(totals["y1"], -np.inf)),
            sample=np.array(
                [[a, b, np.nan if c is None else c] for a, b, c in sample], dtype=float
            ),
        )
        return analysis.result(_residual_groups(rows, outcome))
    finally:
        analysis.close()


def _num(value: Any, default: float) -> float:
    return default if value is None else float(value)


def scope_fields(scope: Scope) -> tuple[str, str]:
    """(score field, typical-child score field) of an outcome scope."""
    if scope.kind == "total":
        return "functional_score", "typical_functional_score"
    if scope.kind == "region":
        return REGION_FIELDS[scope.key]
    return DOMAIN_FIELDS[scope.key]


def _stored_scopes(inst: Instrument) -> tuple[Scope, ...]:
    return tuple(
        s
        for s in scopes(inst)
        if s.kind == "total" or s.key in (REGION_FIELDS if s.kind == "region" else DOMAIN_FIELDS)
    )


def _pairs_sql(rows: QuerySet[StoredScores], inst: Instrument) -> tuple[str, list[Any]]:
    """SQL of one row per client: first and latest dates and each scope's adjusted change.

    First = earliest date (ties: lowest id), latest = newest date (ties: highest id), as
    :class:`neuroseq.cohort.outcomes.OutcomeTracker` reads records in date and id order.
    The windows sort only (id, client, date); the two rows are then read by primary key.
    """
    table = StoredScores._meta.db_table
    changes = []
    for j, scope in enumerate(_stored_scopes(inst)):
        score, typical = scope_fields(scope)
        changes.append(f"(l.{score} - f.{score}) - (l.{typical} - f.{typical}) AS c{j}")
    base_sql, params = rows.values("id", "client_id", "assessed_on").query.sql_with_params()
    sql = f"""
        SELECT ends.client_id AS client_id, f.assessed_on AS d0, l.assessed_on AS d1,
            {", ".join(changes)}
        FROM (
            SELECT client_id,
                MAX(CASE WHEN rf = 1 THEN id END) AS f_id,
                MAX(CASE WHEN rl = 1 THEN id END) AS l_id
            FROM (
                SELECT id, client_id,
                    ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY assessed_on, id) AS rf,
                    ROW_NUMBER() OVER (
                        PARTITION BY client_id ORDER BY assessed_on DESC, id DESC
                    ) AS rl
                FROM ({base_sql}) base
            ) ranked
            WHERE rf = 1 OR rl = 1
            GROUP BY client_id
        ) ends
        JOIN {table} f ON f.id = ends.f_id
        JOIN {table} l ON l.id = ends.l_id
    """
    return sql, list(params)


def _condition(j: int, s_diff: float, klass: str) -> tuple[str, list[float]]:
    if klass == "improved":
        return f"c{j} / %s > %s", [s_diff, RELIABLE_THRESHOLD]
    if klass == "deteriorated":
        return f"c{j} / %s < %s", [s_diff, -RELIABLE_THRESHOLD]
    if klass == "no reliable change":
        return f"c{j} / %s BETWEEN %s AND %s", [s_diff, -RELIABLE_THRESHOLD, RELIABLE_THRESHOLD]
    return f"c{j} IS NULL", []


def outcomes(inst: Instrument, rows: QuerySet[StoredScores]) -> Outcomes:
    """Counts per scope and class; the client lists stay in the database (see clients_in)."""
    pairs, params = _pairs_sql(rows, inst)
    selected = ["COUNT(*)", "SUM(CASE WHEN d1 > d0 THEN 1 ELSE 0 END)"]
    args: list[Any] = []
    scope_list = _stored_scopes(inst)
    for j, scope in enumerate(scope_list):
        s_diff = standard_error_of_difference(scope.sd, scope.reliability)
        for klass in CLASSES:
            condition, values = _condition(j, s_diff, klass)
            selected.append(f"SUM(CASE WHEN d1 > d0 AND {condition} THEN 1 ELSE 0 END)")
            args += values
        selected.append(f"AVG(CASE WHEN d1 > d0 THEN c{j} END)")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selected)} FROM ({pairs}) pairs", args + params)
        got = cursor.fetchone()
    synthetic = rows.filter(synthetic=True).values("client_id").distinct().count()
    members, followed = int(got[0] or 0), int(got[1] or 0)
    results = []
    k = 2
    for scope in scope_list:
        counts = {klass: int(got[k + i] or 0) for i, klass in enumerate(CLASSES)}
        mean = got[k + len(CLASSES)]
        k += len(CLASSES) + 1
        results.append(
            ScopeOutcome(
                scope=scope,
                counts=counts,  # type: ignore[arg-type]
                clients=dict.fromkeys(CLASSES, ()),
                mean_adjusted_change=None if mean is None else float(mean),
            )
        )
    group = GroupOutcome(
        group=ALL, n_clients=followed, n_single=members - followed, scopes=tuple(results)
    )
    return Outcomes(
        groups=(group,),
        n_synthetic_clients=synthetic,
        reliability_source=inst.reliability.source.strip(),
    )


def find_scope(inst: Instrument, label: str) -> tuple[int, Scope] | None:
    for j, scope in enumerate(_stored_scopes(inst)):
        if scope.label == label:
            return j, scope
    return None


def clients_in(inst: Instrument, rows: QuerySet[StoredScores], label: str, klass: str) -> list[int]:
    """Ids of the clients counted in one cell of the outcomes table (any visibility)."""
    found = find_scope(inst, label)
    if found is None or klass not in CLASSES:
        raise KeyError(label)
    j, scope = found
    pairs, params = _pairs_sql(rows, inst)
    s_diff = standard_error_of_difference(scope.sd, scope.reliability)
    condition, values = _condition(j, s_diff, klass)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT client_id FROM ({pairs}) pairs WHERE d1 > d0 AND {condition}",
            params + values,
        )
        return [row[0] for row in cursor.fetchall()]


def readable_source(text: str) -> str:
    """The reliability source for a web page: without the shell commands (in backticks)
    that reproduce the figures; those stay in the data file and in docs/scoring.md."""
    return re.sub(r"\s*;?\s*`[^`]*`", "", text).strip()


def _number(value: float | None, digits: int = 2) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"


def _model_rows(fit: Any) -> list[dict[str, str]]:
    return [
        {
            "name": (fit.labels or {}).get(c.name, c.name),
            "beta": _number(c.standardised),
            "ci": f"{_number(c.standardised_ci_low)} to {_number(c.standardised_ci_high)}",
            "p": "< 0.001" if c.p_value < 0.001 else _number(c.p_value, 3),
        }
        for c in fit.coefficients
    ]


def _fit_context(fit: CohortFit, inst: Any) -> dict[str, Any]:
    line = fit.line
    residuals = []
    for measure in (HISTORY, CURRENT):
        result = fit.residuals.get(measure)
        if result is None:
            continue
        residuals.append(
            {
                "name": fit.labels[measure],
                "below": f"{_number(result.mean_below, 1)} (n = {result.n_below:,})",
                "above": f"{_number(result.mean_above, 1)} (n = {result.n_above:,})",
                "difference": _number(result.difference, 1),
                "ci": f"{_number(result.ci_low, 1)} to {_number(result.ci_high, 1)}",
                "d": _number(result.cohens_d),
                "r": _number(result.residual_correlation),
            }
        )
    return {
        "plot": render_cohort_plot(fit, inst),
        "y_label": OUTCOMES[fit.outcome],
        "colour_label": fit.labels[COLOURS[fit.colour]],
        "n": line.n,
        "r": _number(line.r),
        "slope": _number(line.slope),
        "slope_ci": f"{_number(line.slope_ci_low)} to {_number(line.slope_ci_high)}",
        "residuals": residuals,
        "multiple": None
        if fit.multiple is None
        else {
            "n": fit.multiple.n,
            "r2": _number(fit.multiple.r_squared),
            "rows": _model_rows(fit.multiple),
            "notes": fit.multiple.notes,
        },
        "timing": None
        if fit.timing is None
        else {
            "n": fit.timing.n,
            "r2": _number(fit.timing.r_squared),
            "rows": _model_rows(fit.timing),
            "notes": fit.timing.notes,
        },
        "notes": fit.notes,
    }


def _outcome_rows(result: Outcomes, query: dict[str, str]) -> list[dict[str, Any]]:
    group = result.group("all")
    rows = []
    for scope in group.scopes:
        cells = []
        for klass in CLASSES:
            link = urlencode({**query, "scope": scope.scope.label, "result": klass})
            cells.append({"count": scope.counts[klass], "query": link, "klass": klass})
        rows.append(
            {
                "name": scope.scope.name,
                "kind": scope.scope.kind,
                "cells": cells,
                "mean": _number(scope.mean_adjusted_change, 1),
            }
        )
    return rows


def compute_figures(
    inst: Instrument,
    rows: QuerySet[StoredScores],
    *,
    outcome: Outcome,
    colour: Colour,
    filters: dict[str, str],
) -> dict[str, Any]:
    """Everything the page shows of one selection, as plain JSON-able values."""
    figures: dict[str, Any] = {}
    try:
        fitted = fit(inst, rows, outcome=outcome, colour=colour)
        figures["fit"] = _fit_context(fitted, inst)
        figures["synthetic"] = fitted.synthetic
    except CohortError as exc:
        figures["fit_errors"] = list(exc.errors)
    result = outcomes(inst, rows)
    group = result.group(ALL)
    figures["synthetic"] = bool(figures.get("synthetic")) or result.synthetic
    figures["outcomes"] = {
        "followed": group.n_clients,
        "single": group.n_single,
        "rows": _outcome_rows(result, filters),
        "chart": render_outcomes_chart(result, inst) if group.n_clients else None,
        "source": readable_source(result.reliability_source),
    }
    return figures


def stamp(organisation_id: int) -> tuple[int, str]:
    """(count, stamp) of an organisation's stored scores: any signature changes the stamp."""
    got = StoredScores.objects.filter(organisation_id=organisation_id).aggregate(
        n=Count("pk"), last=Max("stored_at")
    )
    last = got["last"].isoformat() if got["last"] else "-"
    return int(got["n"]), f"{got['n']}@{last}"


def selection_key(selection: Selection, outcome: str, colour: str) -> str:
    return "|".join(
        [
            f"team={selection.team_id or ''}",
            f"from={selection.date_from or ''}",
            f"to={selection.date_to or ''}",
            f"y={outcome}",
            f"colour={colour}",
        ]
    )


def page_figures(
    actor: Actor,
    selection: Selection,
    *,
    outcome: Outcome,
    colour: Colour,
    filters: dict[str, str],
) -> dict[str, Any]:
    """Live for a caseload up to LARGE; above it the snapshot, refitted in the background."""
    inst = load_instrument()
    size, current = stamp(selection.organisation_id)
    rows = selection.rows()
    if size <= LARGE:
        return compute_figures(inst, rows, outcome=outcome, colour=colour, filters=filters)
    key = selection_key(selection, outcome, colour)
    snapshot = AnalyticsSnapshot.objects.filter(
        organisation_id=selection.organisation_id, key=key
    ).first()
    if snapshot is None:  # the first view of this selection: computed now, kept
        figures = compute_figures(inst, rows, outcome=outcome, colour=colour, filters=filters)
        snapshot = stored_scores.save_snapshot(
            actor, selection.organisation_id, key, current, figures
        )
    elif snapshot.stamp != current:
        started = snapshot.refresh_started_at
        if started is None or timezone.now() - started > REFRESH_AGAIN_AFTER:
            stored_scores.start_refit(actor, snapshot, filters)
    return {
        **snapshot.figures,
        "snapshot": {"computed_at": snapshot.computed_at, "stale": snapshot.stamp != current},
    }
