"""Rater reliability statistics for staffings and certification (pure: no Django, no I/O).

Every function takes plain arrays or mappings, raises :class:`ReliabilityError` (one
``field: message`` line per problem) for input it cannot take, and returns a small
frozen result with ``.value`` (and ``.ci_low`` / ``.ci_high`` where a confidence
interval is defined) and ``to_dict()`` for JSON. Sources are cited in each module and
the formulas are in docs/reliability.md.
"""

from neuroseq.reliability.agreement import AgreementResult, percent_agreement
from neuroseq.reliability.alpha import LEVELS, AlphaResult, Level, krippendorff_alpha
from neuroseq.reliability.errors import ReliabilityError
from neuroseq.reliability.fleiss import FleissKappaResult, counts_from_ratings, fleiss_kappa
from neuroseq.reliability.icc import FORMS, IccForm, IccResult, icc, resolve_form
from neuroseq.reliability.kappa import WEIGHTS, KappaResult, Weights, cohen_kappa
from neuroseq.reliability.key import (
    GroupAgreement,
    ItemComparison,
    KeyAgreement,
    MissedItem,
    agreement_with_key,
    most_missed,
)

__all__ = [
    "FORMS",
    "LEVELS",
    "WEIGHTS",
    "AgreementResult",
    "AlphaResult",
    "FleissKappaResult",
    "GroupAgreement",
    "IccForm",
    "IccResult",
    "ItemComparison",
    "KappaResult",
    "KeyAgreement",
    "Level",
    "MissedItem",
    "ReliabilityError",
    "Weights",
    "agreement_with_key",
    "cohen_kappa",
    "counts_from_ratings",
    "fleiss_kappa",
    "icc",
    "krippendorff_alpha",
    "most_missed",
    "percent_agreement",
    "resolve_form",
]
