"""The error cohort analysis raises for data a model cannot be fitted to."""

from __future__ import annotations


class CohortError(ValueError):
    """Degenerate or bad cohort data; ``errors`` holds one plain message line each.

    The messages say what is wrong with the data (too few children, a predictor that
    never varies, predictors that say the same thing) so the CLI and the analytics page
    can show them as they are, never a traceback.
    """

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors
