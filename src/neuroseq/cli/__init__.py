"""Command-line interface: ``neuroseq --help``."""

from neuroseq.cli import (  # noqa: F401  (each module registers its commands)
    cohort,
    core,
    interop,
    maps,
    ops,
    plan,
    reliability,
    report,
)
from neuroseq.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
