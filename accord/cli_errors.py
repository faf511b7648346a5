"""How a CLI command reports a refusal: one line on standard error, exit status 2, and never
a traceback (shared by the command modules)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import typer
from rich.console import Console

from accord.errors import AccordError

errors = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error (taken literally: no Rich markup) and give the exit to
    raise."""
    errors.print(f"[red]error:[/red] {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(2)


@contextmanager
def reported(options: Mapping[str, str] | None = None) -> Iterator[None]:
    """An Accord refusal as one line naming the field (as the option ``options`` gives for
    it, where the CLI calls it otherwise), and exit status 2."""
    try:
        yield
    except AccordError as exc:
        if exc.errors:
            first = exc.errors[0]
            field = (options or {}).get(first.field, first.field)
            raise fail(f"{field}: {first.message}") from None
        raise fail(exc.detail) from None
