"""Command-line interface: ``neuroseq --help``."""

from neuroseq.cli import core, maps, ops, plan  # noqa: F401  (each module registers its commands)
from neuroseq.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
