"""The open neuroseq instrument: regions, domains, functions, norms, weights, as versioned data."""

from neuroseq.instrument.loader import (
    DEFAULT_VERSION,
    Instrument,
    InstrumentError,
    load_instrument,
)
from neuroseq.instrument.schema import MAX_AGE_MONTHS, STATUSES

__all__ = [
    "DEFAULT_VERSION",
    "MAX_AGE_MONTHS",
    "STATUSES",
    "Instrument",
    "InstrumentError",
    "load_instrument",
]
