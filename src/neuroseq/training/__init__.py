"""Training and certification of raters, staffing leads and trainers (pure: no Django).

Vignettes (synthetic cases with an expert key and the reasoning for every key rating) and
the certification rule are versioned data in ``data/``; see docs/training.md.
"""

from neuroseq.training.agreement import agreement
from neuroseq.training.certification import (
    AttemptRecord,
    CountedAttempt,
    HeldCertificate,
    RuleResult,
    add_months,
    days_left,
    evaluate,
    expiry_for,
    holds,
    is_current,
    renewal_due,
)
from neuroseq.training.fidelity import MonthPoint, agreement_by_month, agreement_chart_svg
from neuroseq.training.loader import (
    TrainingDataError,
    check_vignette,
    get_vignette,
    load_rules,
    load_vignettes,
)
from neuroseq.training.schema import CertificationRules, KeyRating, LevelRule, Vignette

__all__ = [
    "AttemptRecord",
    "CertificationRules",
    "CountedAttempt",
    "HeldCertificate",
    "KeyRating",
    "LevelRule",
    "MonthPoint",
    "RuleResult",
    "TrainingDataError",
    "Vignette",
    "add_months",
    "agreement",
    "agreement_by_month",
    "agreement_chart_svg",
    "check_vignette",
    "days_left",
    "evaluate",
    "expiry_for",
    "get_vignette",
    "holds",
    "is_current",
    "load_rules",
    "load_vignettes",
    "renewal_due",
]
