"""Agreement of one attempt with a vignette's expert key (figures from neuroseq.reliability)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neuroseq.instrument import Instrument, load_instrument
from neuroseq.reliability import KeyAgreement, agreement_with_key
from neuroseq.training.schema import Vignette


def agreement(
    attempt: Mapping[str, Any], vignette: Vignette, instrument: Instrument | None = None
) -> KeyAgreement:
    """ICC(A,1), quadratic weighted kappa, exact and within-one agreement, per domain.

    ``attempt`` maps function id to status 0-3 (or None: not rated, counted as missed).
    ``KeyAgreement.missed_most()`` lists the items furthest from the key first.
    """
    inst = instrument or load_instrument(vignette.instrument_version)
    return agreement_with_key(attempt, vignette.key_statuses, inst, weights="quadratic")
