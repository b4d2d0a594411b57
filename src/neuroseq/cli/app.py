"""The typer application every command module registers on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

import typer
from rich.console import Console

app = typer.Typer(
    name="neuroseq",
    help=(
        "neuroseq: score developmental histories and functional reviews with the open "
        "neuroseq instrument, draw brain maps and sequential plans. Not the proprietary "
        "NMT metrics."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
instrument_app = typer.Typer(help="Read the instrument: functions, norms, weights.")
app.add_typer(instrument_app, name="instrument")

console = Console()
error_console = Console(stderr=True)

EXIT_BAD_INPUT = 2


def fail(errors: Iterable[str]) -> NoReturn:
    """Report bad input, one problem per line, and exit with status 2 (never a traceback)."""
    for line in errors:
        error_console.print(f"error: {line}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)
