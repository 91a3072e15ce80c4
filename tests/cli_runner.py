"""Running the command line in-process against a test database, as a user types it."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import CliRunner, Result

from passerelle.cli import cli

Run = Callable[..., Result]


def cli_runner(database_url: str) -> Run:
    """Return a function that runs ``passerelle ARGS`` with PASSERELLE_DB and _USER set."""
    runner = CliRunner()

    def invoke(*args: str, user: str | None = None, stdin: str | None = None) -> Result:
        env = {"PASSERELLE_DB": database_url, "PASSERELLE_USER": user or ""}
        return runner.invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)

    return invoke
