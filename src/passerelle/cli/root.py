"""The root command group, shared options and the one-line error contract."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import click

from passerelle import __version__
from passerelle.errors import PasserelleError
from passerelle.settings import PURPOSE_LENGTH, Settings
from passerelle.stix.timestamps import now_micros

# The parts of a node are imported when a command first needs them, never at start-up:
# `passerelle --help` and commands with --url then load neither SQLAlchemy nor FastAPI.
if TYPE_CHECKING:
    from passerelle.core.context import Clock, Context
    from passerelle.keys.rules import KeyRules
    from passerelle.objects.hooks import Hooks
    from passerelle.policy.viewer import Viewer
    from passerelle.store.database import Database


@dataclass
class Node:
    """What every command gets: settings and, once asked for, the migrated database and
    the node's wired parts (key rules, listeners of object writes)."""

    settings: Settings
    purpose: str = ""
    clock: Clock = now_micros
    _database: Database | None = None
    _keys: KeyRules | None = None
    _hooks: Hooks | None = None

    @property
    def keys(self) -> KeyRules:
        """Return the node's key rules (built on first use)."""
        if self._keys is None:
            from passerelle.wiring import key_rules

            self._keys = key_rules(self.settings, names_on_first_use=True)
        return self._keys

    @property
    def hooks(self) -> Hooks:
        """Return the listeners of the node's object writes (wired on first use)."""
        if self._hooks is None:
            from passerelle.wiring import subscribe_features

            self._hooks = subscribe_features(self.keys)
        return self._hooks

    def context(self, viewer: Viewer) -> Context:
        """Return the operation context of a user on this node; its key rules and write
        listeners are built only if the operation keys or writes (a read never does)."""
        from passerelle.core.context import Context, Deferred

        keys = Deferred(lambda: self.keys)
        hooks = Deferred(lambda: self.hooks)
        return Context(self.database, viewer, keys, hooks, self.clock, self.settings.exchange)

    @property
    def database(self) -> Database:
        """Return the node's database, which must exist (see ``open``)."""
        return self.open()

    def open(self, create: bool = False) -> Database:
        """Open (and migrate) the database on first use, with the node's audit key.

        Only the commands that set a node up create a SQLite file that does not exist: for
        any other, a mistyped --db is an error, not a new empty database.
        """
        if self._database is None:
            from passerelle.audit.key import use_audit_key
            from passerelle.store.database import check_reachable, open_database

            database = open_database(self.settings.db_url, create=create)
            check_reachable(database)
            database.migrate()
            try:
                use_audit_key(database, self.audit_key_path)
            except BaseException:
                database.dispose()
                raise
            self._database = database
        return self._database

    @property
    def audit_key_path(self) -> Path:
        """Return where the node's audit key file is."""
        from passerelle.audit.key import key_path

        return key_path(self.settings.audit.key_file, self.settings.db_url)

    def close(self) -> None:
        """Release the database connections."""
        if self._database is not None:
            self._database.dispose()
            self._database = None

    def viewer(self, username: str | None) -> Viewer:
        """Return the user a command acts for (``--user`` or ``PASSERELLE_USER``)."""
        username = username or self.settings.client.user
        if not username:
            raise PasserelleError("say who acts: --user NAME or the PASSERELLE_USER variable")
        from passerelle.policy.directory import active_viewer, viewer_by_name

        with self.database.read() as conn:
            viewer = viewer_by_name(conn, username, self.purpose)
            if active_viewer(conn, viewer.user_id) is None:
                raise PasserelleError(f"user {viewer.username!r} is disabled")
        return viewer


class _Group(click.Group):
    """A group that turns every known failure into one line and a non-zero exit.

    Command names are singular (``org``, ``user``, ``channel``, ``tip``, ``rfi``,
    ``watch``, ``peer``); the old plural ``tips`` still works, unlisted.
    """

    aliases: ClassVar[dict[str, str]] = {"tips": "tip"}

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(cmd_name, cmd_name))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PasserelleError as exc:
            raise click.ClickException(exc.message) from exc
        except BrokenPipeError:
            raise  # the reader stopped (`| head`): click's main ends quietly
        except OSError as exc:
            raise click.ClickException(os_error_text(exc)) from exc
        except Exception as exc:
            if not _is_database_error(exc):
                raise
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise click.ClickException(f"database error: {detail}") from exc


def os_error_text(exc: OSError) -> str:
    """Say what failed with a file or the network without errno numbers ("[Errno 2]")."""
    if not exc.strerror:
        return str(exc)
    return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror


def _is_database_error(exc: Exception) -> bool:
    """Tell a database failure, without importing SQLAlchemy when no command used it."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.SQLAlchemyError)


pass_node = click.make_pass_decorator(Node)

user_option = click.option(
    "--user",
    "username",
    help="Act as this user (default: the PASSERELLE_USER variable).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def emit_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], as_json: bool) -> None:
    """Print rows as a JSON list or as an aligned text table."""
    if as_json:
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("(none)")
        return
    widths = [max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns]
    header = "  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))
    click.echo(header.rstrip())
    for row in rows:
        cells = (str(row.get(c, "")).ljust(w) for c, w in zip(columns, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


@contextmanager
def stderr_progress(total: int, label: str) -> Iterator[Any]:
    """Show a progress bar on stderr (only when it is a terminal)."""
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_url",
    help="Database URL (default: PASSERELLE_DB, else sqlite:///./passerelle.db).",
)
@click.option(
    "--purpose",
    default="",
    help="Purpose of this access, recorded in the audit log (default: PASSERELLE_PURPOSE, "
    "else the user's own).",
)
@click.version_option(__version__, prog_name="passerelle")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, purpose: str) -> None:
    """Passerelle: exchange intelligence with partner services over STIX 2.1 and TAXII 2.1."""
    settings = Settings.from_env(db_url)
    ctx.obj = Node(settings, purpose.strip()[:PURPOSE_LENGTH] or settings.client.purpose)
    ctx.call_on_close(ctx.obj.close)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="passerelle")
