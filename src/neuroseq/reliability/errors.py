"""The one error every reliability statistic raises for input it cannot take."""

from __future__ import annotations


class ReliabilityError(ValueError):
    """Input a statistic cannot take; ``errors`` holds one ``field: message`` line each.

    Callers (the CLI, the staffing and training pages) show the lines as they are:
    each names the field or rater and says what was expected.
    """

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors
