"""``passerelle notify subscribe|unsubscribe|list|send``: be told of the workflow's events
by e-mail or by a signed webhook, and deliver what is owed.

``subscribe``, ``unsubscribe`` and ``list`` run the same operations as the REST API, on
the local database as ``--user`` or on a running node with ``--url`` and
``PASSERELLE_TOKEN``. ``send`` delivers from the node's own database (``serve`` does the
same in the background).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from passerelle.cli.client import client_options, make_client
from passerelle.cli.root import Node, cli, emit_rows, json_option, pass_node
from passerelle.errors import BadInput

# The kinds a subscription may name (passerelle.notify.kinds.KINDS, checked by a test).
KIND_CHOICES = (
    "tip-received",
    "deadline-near",
    "overdue",
    "outcome-received",
    "watch-hit",
    "rfi-received",
    "rfi-answered",
)
_COLUMNS = ["kind", "via", "address", "created", "pending", "delivered", "failed"]

kind_option = click.option(
    "--kind", required=True, type=click.Choice(KIND_CHOICES), help="Which events."
)
email_option = click.option("--email", metavar="ADDRESS", help="Write to this mailbox.")
webhook_option = click.option("--webhook", metavar="URL", help="POST signed notices here.")


def _secret(path: str | None) -> str | None:
    """Read a webhook's secret from its file (first line), never from the command line."""
    if path is None:
        return None
    try:
        secret = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read the secret file {path!r}") from exc
    if len(secret) < 16:
        raise BadInput(f"the secret in {path!r} is shorter than 16 characters")
    return secret


@cli.group("notify")
def notify_group() -> None:
    """Notifications: be told of tips, deadlines, outcomes, watch hits and RFIs."""


@notify_group.command("subscribe")
@kind_option
@email_option
@webhook_option
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False),
    help="The file holding the webhook's signing secret (16 characters or more).",
)
@client_options
@pass_node
def notify_subscribe(
    node: Node,
    kind: str,
    email: str | None,
    webhook: str | None,
    secret_file: str | None,
    username: str | None,
    url: str | None,
) -> None:
    """Be told of KIND events by e-mail (--email) or signed webhook (--webhook).

    A notice says only what you may see; a TLP:RED or H3 tip's says only that a tip
    awaits you, with the link.
    """
    if webhook and not secret_file:
        raise BadInput("a webhook needs --secret-file FILE (the key its notices are signed with)")
    request = {"kind": kind, "email": email, "webhook": webhook, "secret": _secret(secret_file)}
    made = make_client(node, username, url).call("notify.subscribe", request)
    click.echo(f"you will be told of {made['kind']} by {made['via']} at {made['address']}")


@notify_group.command("unsubscribe")
@kind_option
@email_option
@webhook_option
@client_options
@pass_node
def notify_unsubscribe(
    node: Node,
    kind: str,
    email: str | None,
    webhook: str | None,
    username: str | None,
    url: str | None,
) -> None:
    """Stop being told of KIND events (at one address, or everywhere); waiting notices
    are dropped."""
    request = {"kind": kind, "email": email, "webhook": webhook}
    done = make_client(node, username, url).call("notify.unsubscribe", request)
    click.echo(
        f"removed {done['removed']} subscription(s) to {kind}; "
        f"{done['dropped']} waiting notice(s) dropped"
    )


@notify_group.command("list")
@json_option
@client_options
@pass_node
def notify_list(node: Node, as_json: bool, username: str | None, url: str | None) -> None:
    """List your subscriptions and how their notices stand."""
    found: list[dict[str, Any]] = make_client(node, username, url).call("notify.list", {})
    for row in found:
        row["created"] = str(row["created"])[:16].replace("T", " ")
    emit_rows(found, _COLUMNS, as_json)


@notify_group.command("send")
@click.option("--once", is_flag=True, help="One pass, then exit (else every interval).")
@json_option
@pass_node
def notify_send(node: Node, once: bool, as_json: bool) -> None:
    """Queue the notices owed and deliver those due, with retries; repeat until stopped
    (every PASSERELLE_NOTIFY_INTERVAL, 30s by default) unless --once."""
    import threading

    from passerelle.durations import SECOND
    from passerelle.notify import Courier, run_pass

    settings = node.settings
    courier = Courier(node.database, settings.notify, settings.public_url)
    pause = (settings.notify.interval or 30 * SECOND) / SECOND
    stop = threading.Event()
    while True:
        report = run_pass(courier)
        if as_json:
            click.echo(json.dumps(vars(report)))
        else:
            click.echo(
                f"queued {report.queued}, delivered {report.delivered}, "
                f"to retry {report.retried}, failed {report.failed}, dropped {report.dropped}"
            )
        if once:
            return
        try:
            stop.wait(pause)
        except KeyboardInterrupt:
            return
