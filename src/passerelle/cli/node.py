"""``passerelle init|serve|quickstart``: create and run a node."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from dataclasses import replace
from typing import TYPE_CHECKING

import click

from passerelle.cli.root import Node, cli, os_error_text, pass_node, stderr_progress
from passerelle.durations import SECOND
from passerelle.errors import BadInput, Conflict
from passerelle.policy.roles import Role
from passerelle.settings import parse_interval

if TYPE_CHECKING:
    from passerelle.federation import SyncLoop
    from passerelle.notify import NotifyLoop

host_option = click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind."
)
port_option = click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)


@cli.command()
@pass_node
def init(node: Node) -> None:
    """Create the database (or bring its schema up to date)."""
    node.open(create=True).migrate()
    click.echo(f"database ready: {node.settings.db_url}")
    # The key signs the audit log: the operator must know where it is, to protect it.
    click.echo(f"audit key: {node.audit_key_path} (keep it secret, and back it up apart)")


def check_free(host: str, port: int) -> None:
    """Fail in one line, before anything is printed or served, if HOST:PORT cannot be bound."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _name, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            # As uvicorn binds: a port left in TIME_WAIT by a stopped node is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except socket.gaierror as exc:
        raise BadInput(f"--host {host}: not an address of this machine") from exc
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise BadInput(f"port {port} on {host} is in use (try another --port)") from exc
        raise BadInput(f"cannot listen on {host}:{port}: {os_error_text(exc)}") from exc


def _serve(
    node: Node, host: str, port: int, workers: int = 1, tls: tuple[str, str] | None = None
) -> None:
    from passerelle.http.guard import TAXII_PREFIX

    check_free(host, port)
    scheme = "https" if tls else "http"
    click.echo(f"TAXII 2.1 discovery: {scheme}://{host}:{port}{TAXII_PREFIX}", err=True)
    # One sync loop per node: the app's own with one worker (started and stopped with
    # it), else here, in the process that starts the workers (they never run one).
    loop = _sync_loop(node) if workers > 1 else None
    notices = _notify_loop(node) if workers > 1 else None
    try:
        _run_server(node, host, port, workers, tls)
    finally:
        if loop is not None:
            loop.stop()
        if notices is not None:
            notices.stop()


def _sync_loop(node: Node) -> SyncLoop | None:
    """Start the background sync loop when an interval is set."""
    if not node.settings.sync_interval:
        return None
    from passerelle.federation import SyncLoop

    loop = SyncLoop(node.database, node.hooks, node.settings.sync_interval / SECOND)
    loop.start()
    return loop


def _notify_loop(node: Node) -> NotifyLoop | None:
    """Start the delivery of notifications when its interval is set."""
    settings = node.settings
    if not settings.notify.interval:
        return None
    from passerelle.notify import Courier, NotifyLoop

    courier = Courier(node.database, settings.notify, settings.public_url)
    loop = NotifyLoop(courier, settings.notify.interval / SECOND)
    loop.start()
    return loop


def _run_server(
    node: Node, host: str, port: int, workers: int, tls: tuple[str, str] | None
) -> None:
    import uvicorn

    from passerelle.app import create_app, settle_heap

    cert, key = tls or (None, None)
    if workers == 1:
        app = create_app(node.settings, node.database)
        settle_heap()
        uvicorn.run(
            app, host=host, port=port, log_level="warning", ssl_certfile=cert, ssl_keyfile=key
        )
        return
    node.database.migrate()  # once, before the workers start
    os.environ.update(node.settings.worker_environment())
    uvicorn.run(
        "passerelle.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        ssl_certfile=cert,
        ssl_keyfile=key,
    )


@cli.command()
@host_option
@port_option
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (use several over PostgreSQL).",
)
@click.option(
    "--tls-cert",
    type=click.Path(exists=True, dir_okay=False),
    help="Serve HTTPS with this certificate chain (PEM); needs --tls-key.",
)
@click.option(
    "--tls-key",
    type=click.Path(exists=True, dir_okay=False),
    help="The private key (PEM) of --tls-cert.",
)
@click.option(
    "--sync-interval",
    help="Sync with every peer in the background this often (30s, 5m; 0: off). "
    "Default: PASSERELLE_SYNC_INTERVAL, else off.",
)
@pass_node
def serve(
    node: Node,
    host: str,
    port: int,
    workers: int,
    tls_cert: str | None,
    tls_key: str | None,
    sync_interval: str | None,
) -> None:
    """Serve the node's TAXII 2.1 API over HTTP, or HTTPS with --tls-cert and --tls-key."""
    if bool(tls_cert) != bool(tls_key):
        raise BadInput("give both --tls-cert and --tls-key, or neither")
    if sync_interval is not None:
        node.settings = replace(node.settings, sync_interval=parse_interval(sync_interval))
    _serve(node, host, port, workers, (tls_cert, tls_key) if tls_cert and tls_key else None)


DEMO_ORG = "Demo Service"
DEMO_USER = "demo"
DEMO_CHANNEL = "demo"


def _ensure_demo(node: Node) -> str:
    from passerelle.policy import directory
    from passerelle.policy.directory import Membership

    with node.open(create=True).write() as conn:
        with contextlib.suppress(Conflict):
            directory.add_organisation(conn, DEMO_ORG)
        try:
            token = directory.add_user(conn, DEMO_ORG, DEMO_USER, Role.ANALYST)
        except Conflict:
            token = directory.replace_token(conn, DEMO_USER)
        with contextlib.suppress(Conflict):
            directory.add_channel(
                conn,
                DEMO_CHANNEL,
                [Membership(DEMO_ORG, True, True)],
                description="A channel to try the node with",
            )
    return token


@cli.command()
@host_option
@port_option
@click.option("--no-serve", is_flag=True, help="Set up the demo and exit without serving.")
@pass_node
def quickstart(node: Node, host: str, port: int, no_serve: bool) -> None:
    """Set up a demo organisation, user and channel, print the token, and serve."""
    from passerelle.http.media import TAXII_MEDIA_TYPE
    from passerelle.taxii.context import ROOT_PATH

    if not no_serve:
        check_free(host, port)  # before anything is set up or printed
    token = _ensure_demo(node)
    click.echo(f"organisation: {DEMO_ORG}\nuser: {DEMO_USER}\ntoken: {token}")
    click.echo(
        f"try: curl -u {DEMO_USER}:{token} "
        f"-H 'Accept: {TAXII_MEDIA_TYPE}' http://{host}:{port}{ROOT_PATH}collections/"
    )
    if not no_serve:
        _serve(node, host, port)


@cli.command()
@pass_node
def reindex(node: Node) -> None:
    """Rebuild the correlation index of every stored object version, and resolve to
    entities the identities, groups and places not linked yet.

    For a node upgraded from before correlation and entity resolution, or after a change
    of the key rules (such as PASSERELLE_PHONE_REGION). Each batch commits on its own:
    the node keeps serving.
    """
    from sqlalchemy import func, select

    from passerelle.correlation.index import reindex as rebuild
    from passerelle.resolution import RESOLVED_TYPES, load_alias_data, relink
    from passerelle.stix.timestamps import now_micros
    from passerelle.store.schema import objects

    with node.database.read() as conn:
        total = int(conn.execute(select(func.count()).select_from(objects)).scalar_one())
        resolvable = int(
            conn.execute(
                select(func.count())
                .select_from(objects)
                .where(objects.c.type.in_(sorted(RESOLVED_TYPES)))
            ).scalar_one()
        )
    with stderr_progress(total, "indexing") as bar:
        done = rebuild(node.database, phone_region=node.keys.phone_region, progress=bar.update)
    click.echo(f"indexed {done} object versions")
    with stderr_progress(resolvable, "resolving") as bar:
        aliases = load_alias_data(node.keys.alias_dirs)
        linked = relink(node.database, aliases, now_micros(), progress=bar.update)
    click.echo(f"resolved {linked} identity, group and place versions")
