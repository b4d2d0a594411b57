"""Command-line interface: ``neuroseq --help``."""

from neuroseq.cli import cohort, core, maps, plan, reliability  # noqa: F401  (each module registers its commands)
from neuroseq.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
