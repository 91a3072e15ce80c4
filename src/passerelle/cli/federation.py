"""``passerelle peer|sync``: the peers of this node, and pushing to them over TAXII 2.1."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

import click

from passerelle.cli.client import client_options, make_client
from passerelle.cli.root import Node, cli, emit_rows, json_option, pass_node

if TYPE_CHECKING:
    from passerelle.federation import Peer, PeerPass, PeerStatus

_SYNC_TIMEOUT = 30.0


@cli.group()
def peer() -> None:
    """Manage peers: other nodes (or TAXII 2.1 servers) this node pushes to and pulls from."""


@peer.command("add")
@click.argument("name")
@click.option("--url", required=True, help="The peer's TAXII 2.1 API root URL.")
@click.option(
    "--org",
    "org_name",
    required=True,
    help="The peer's organisation here: what leaves is what it may see.",
)
@click.option(
    "--speaks-for",
    required=True,
    help="The local organisation whose node account the token is on the peer; only "
    "what it produced is pushed.",
)
@click.option(
    "--token-file",
    required=True,
    help="File holding the credential of our node account on the peer: its token, or "
    "USER:PASSWORD with --auth basic (only the file's path is kept).",
)
@click.option(
    "--auth",
    type=click.Choice(["bearer", "basic"]),
    default="bearer",
    show_default=True,
    help="How the credential is sent: bearer (a Passerelle node) or basic (HTTP basic "
    "authentication: medallion and other plain TAXII 2.1 servers).",
)
@click.option(
    "--author",
    "authors",
    multiple=True,
    help="A STIX identity id that stands for --org in what the peer sends (a plain TAXII "
    "feed's own identity, e.g. OpenCTI's organisation); repeatable.",
)
@click.option("--ca-file", help="CA certificates (PEM) to verify the peer's TLS certificate.")
@pass_node
def peer_add(
    node: Node,
    name: str,
    url: str,
    org_name: str,
    speaks_for: str,
    token_file: str,
    auth: str,
    authors: tuple[str, ...],
    ca_file: str | None,
) -> None:
    """Register a peer called NAME."""
    from passerelle import federation

    with node.database.write() as conn:
        added = federation.add_peer(
            conn, name, url, org_name, speaks_for, token_file, ca_file, node.clock(), auth,
            authors,
        )  # fmt: skip
    click.echo(f"peer {added.name!r} added ({added.url}, for {added.org_name!r})")


@peer.command("list")
@json_option
@pass_node
def peer_list(node: Node, as_json: bool) -> None:
    """List the peers."""
    from passerelle import federation

    with node.database.read() as conn:
        rows = [_summary(p) for p in federation.list_peers(conn)]
    emit_rows(rows, ["name", "url", "org", "speaks_for"], as_json)


def _summary(found: Peer) -> dict[str, str]:
    return {
        "name": found.name,
        "url": found.url,
        "org": found.org_name,
        "speaks_for": found.speaks_for,
    }


@peer.command("show")
@click.argument("name")
@json_option
@pass_node
def peer_show(node: Node, name: str, as_json: bool) -> None:
    """Show a peer and its links (never its token)."""
    from passerelle import federation

    with node.database.read() as conn:
        found = federation.find_peer(conn, name)
        links = federation.links_of(conn, found.id)
    rows = [
        {
            "channel": link.channel_title,
            "remote_collection": link.remote_collection,
            "push": "yes" if link.push else "no",
            "pull": "yes" if link.pull else "no",
        }
        for link in links
    ]
    shown = {
        **_summary(found),
        "token_file": found.token_file,
        "auth": found.auth,
        "authors": ", ".join(found.authors) or "(the identity of its organisation)",
        "ca_file": found.ca_file or "(system trust store)",
    }
    if as_json:
        click.echo(json.dumps({**shown, "links": rows}, ensure_ascii=False, indent=2))
        return
    for key, value in shown.items():
        click.echo(f"{key.replace('_', ' '):<12}{value}")
    emit_rows(rows, ["channel", "remote_collection", "push", "pull"], False)


@peer.command("remove")
@click.argument("name")
@pass_node
def peer_remove(node: Node, name: str) -> None:
    """Forget a peer, its links, outbox and ledger."""
    from passerelle import federation

    with node.database.write() as conn:
        federation.remove_peer(conn, name)
    click.echo(f"peer {name!r} removed")


@peer.command("link")
@click.argument("name")
@click.option("--channel", "channel_ref", required=True, help="The local channel.")
@click.option("--remote-collection", required=True, help="The id of the peer's TAXII collection.")
@click.option("--push", is_flag=True, help="Send what is placed in the channel to the peer.")
@click.option(
    "--pull",
    is_flag=True,
    help="Fetch the collection into the channel (sync, by a cursor that survives restarts).",
)
@pass_node
def peer_link(
    node: Node, name: str, channel_ref: str, remote_collection: str, push: bool, pull: bool
) -> None:
    """Map a local channel to a collection of peer NAME."""
    from passerelle import federation

    shown = _BacklogProgress(sys.stderr)
    with node.database.write() as conn:
        link = federation.link_peer(
            conn, name, channel_ref, remote_collection, push, pull, node.clock(), shown.update
        )
    shown.close()
    ways = " and ".join(w for w, on in (("push", link.push), ("pull", link.pull)) if on)
    click.echo(f"channel {link.channel_title!r} linked to {remote_collection!r} for {ways}")
    if link.push:
        click.echo(
            f"{link.queued} version(s) the channel already held queued for the peer "
            "(the rules of departure decide each at the next sync; see peer status)"
        )


class _BacklogProgress:
    """'queued N of M' rewritten in place while a link queues a channel's backlog, shown
    only on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._on = stream.isatty()
        self._shown = False

    def update(self, done: int, total: int) -> None:
        """Show how far the backlog is queued."""
        if self._on:
            self._stream.write(f"\rqueued {done} of {total} version(s)")
            self._stream.flush()
            self._shown = True

    def close(self) -> None:
        """End the line, if one was shown."""
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()


@peer.command("refuse-lookups")
@click.argument("org_name", metavar="ORG")
@click.option("--reason", default="", help="Why (kept with the decision and in the audit log).")
@click.option("--allow", is_flag=True, help="Answer ORG's federated look-ups again.")
@pass_node
def peer_refuse_lookups(node: Node, org_name: str, reason: str, allow: bool) -> None:
    """Refuse the federated look-ups that ORG's node accounts ask here (they hear
    'refused'); with --allow, answer them again."""
    from passerelle.audit import log as audit
    from passerelle.federation import lookups

    with node.database.write() as conn:
        if allow:
            lookups.allow_lookups(conn, org_name)
        else:
            lookups.refuse_lookups(conn, org_name, reason, node.clock())
        action = "lookups-allowed" if allow else "lookups-refused"
        audit.record(node.database, conn, None, action, [],
                     {"organisation": org_name, "reason": reason[:500]},
                     username="command line")  # fmt: skip
    click.echo(f"federated look-ups from {org_name!r} {'answered' if allow else 'refused'}")


@peer.command("lookup-refusals")
@json_option
@pass_node
def peer_lookup_refusals(node: Node, as_json: bool) -> None:
    """List the organisations whose federated look-ups this node refuses."""
    from passerelle.federation import lookups

    with node.database.read() as conn:
        found = lookups.lookup_refusals(conn)
    rows = [{"organisation": n, "since": _when(at), "reason": why} for n, at, why in found]
    emit_rows(rows, ["organisation", "since", "reason"], as_json)


@peer.command("retry")
@click.argument("name")
@pass_node
def peer_retry(node: Node, name: str) -> None:
    """Queue again what was withheld from peer NAME (after a grant or a membership change),
    and make its pending retractions due at the next pass."""
    from passerelle import federation

    with node.database.write() as conn:
        again, due = federation.retry_withheld(conn, federation.find_peer(conn, name), node.clock())
    click.echo(
        f"{again} withheld version(s) queued again for {name!r}; {due} retraction(s) due now"
    )


@peer.command("pending")
@click.argument("name", required=False)
@json_option
@pass_node
def peer_pending(node: Node, name: str | None, as_json: bool) -> None:
    """List the retractions (revocations, rectifications, erasures) a peer has not
    acknowledged: pending, with their attempts and next attempt, or refused, with why."""
    from passerelle import federation

    with node.database.read() as conn:
        chosen = [federation.find_peer(conn, name)] if name else federation.list_peers(conn)
        rows = federation.retractions_owed(conn, chosen)
    for row in rows:
        row["queued_at"] = _when(row["queued_at"])
        row["next_attempt"] = _when(row["next_attempt"]) if row["state"] == "pending" else ""
    columns = [
        "peer", "kind", "stix_id", "versions", "state", "attempts", "next_attempt", "detail",
    ]  # fmt: skip
    emit_rows(rows, columns, as_json)


def _when(micros: int | None) -> str:
    if not micros:
        return "never"
    return datetime.fromtimestamp(micros / 1e6, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@peer.command("withheld")
@click.option("--object", "object_id", help="Only this object (its STIX id).")
@click.option("--limit", default=50, show_default=True, help="At most this many versions.")
@click.option("--cursor", help="The next page: the cursor the previous page printed.")
@json_option
@client_options
@pass_node
def peer_withheld(
    node: Node,
    object_id: str | None,
    limit: int,
    cursor: str | None,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """List your organisation's versions withheld from peers, with the reason and what to
    do about it (e.g. a TLP defaulted here: post a new version with its TLP set)."""
    values = {"object_id": object_id, "limit": limit, "cursor": cursor}
    page = make_client(node, username, url).call("federation.withheld", values)
    columns = ["stix_id", "version", "channel", "peer_org", "reason", "hint"]
    if as_json:
        click.echo(json.dumps(page, indent=2))
        return
    emit_rows(page["withheld"], columns, False)
    if page["next"]:
        click.echo(f"more: --cursor {page['next']}")


@peer.command("status")
@click.argument("name", required=False)
@json_option
@pass_node
def peer_status(node: Node, name: str | None, as_json: bool) -> None:
    """Show, per peer, the last success, the lag (versions waiting to be sent, and the
    age of the oldest in seconds), what was sent, withheld and refused, the retractions
    not acknowledged or refused, and the last error."""
    from passerelle import federation

    with node.database.read() as conn:
        chosen = [federation.find_peer(conn, name)] if name else federation.list_peers(conn)
        states = [federation.peer_status(conn, p) for p in chosen]
        held = federation.held_back(conn, chosen[0]) if name else []
    columns = [
        "peer", "last_success", "pending", "lag_seconds", "sent", "withheld", "refused",
        "refused_here", "retractions_pending", "retractions_refused", "last_error",
    ]  # fmt: skip
    now = node.clock()
    emit_rows([_status_row(s, now) for s in states], columns, as_json)
    if held and not as_json:
        click.echo("")
        emit_rows(held, ["state", "stix_id", "version", "reason"], False)


def _status_row(state: PeerStatus, now: int) -> dict[str, str | int]:
    return {
        "peer": state.peer,
        "last_success": _when(state.last_success),
        "pending": state.pending,
        "lag_seconds": state.lag_seconds(now),
        "sent": state.sent,
        "withheld": state.withheld,
        "refused": state.refused,
        "refused_here": state.refused_here,
        "retractions_pending": state.retractions_pending,
        "retractions_refused": state.retractions_refused,
        "last_error": state.last_error,
    }


@cli.command("sync")
@click.option("--peer", "peer_name", help="Only this peer (default: every peer).")
@click.option("--once", is_flag=True, help="One pass, then exit (default: repeat).")
@click.option(
    "--interval", default=10.0, show_default=True, help="Seconds between passes without --once."
)
@click.option(
    "--timeout", default=_SYNC_TIMEOUT, show_default=True, help="Seconds to wait for a peer."
)
@pass_node
def sync(node: Node, peer_name: str | None, once: bool, interval: float, timeout: float) -> None:
    """Push what waits in the outbox to the peers, carry the retractions they are owed,
    and pull their linked collections."""
    while True:
        failed = _sync_pass(node, peer_name, timeout)
        if once:
            if failed:
                raise click.ClickException(failed)
            return
        time.sleep(interval)


def _sync_pass(node: Node, peer_name: str | None, timeout: float) -> str:
    """One pass with each chosen peer; return the first error in one line ('' when none)."""
    from passerelle import federation

    with node.database.read() as conn:
        chosen = (
            [federation.find_peer(conn, peer_name)] if peer_name else federation.list_peers(conn)
        )
    from passerelle.core.context import Deferred

    shown = Progress(sys.stdout)
    # The write listeners (every feature's) are built only if a pull stores something.
    hooks = Deferred(lambda: node.hooks)
    done = federation.sync_peers(
        node.database, hooks, chosen, timeout, shown.update if shown.on else None
    )
    shown.close()
    failed = ""
    for result in done:
        if result.error:
            click.echo(f"peer {result.peer!r}: {result.error}", err=True)
            failed = failed or f"peer {result.peer!r}: {result.error}"
        else:
            click.echo(_summary_line(result))
    return failed


def _summary_line(result: PeerPass) -> str:
    pushed, retracted, pulled, rfis = result.pushed, result.retracted, result.pulled, result.rfis
    return (
        f"peer {result.peer!r}: {pushed.accepted} accepted, {pushed.refused} refused, "
        f"{pushed.withheld} withheld, {pushed.pending} pending; retractions "
        f"{retracted.acknowledged} acknowledged, {retracted.refused} refused, "
        f"{retracted.deferred} deferred; pulled {pulled.stored} stored, {pulled.known} "
        f"known, {pulled.refused} refused; RFIs {rfis.forwarded} forwarded, {rfis.refused} "
        f"refused, {rfis.closed} closed"
    )


class Progress:
    """A line of progress (objects sent and received) rewritten in place, shown only when
    the stream is a terminal and the work is long enough to need it."""

    def __init__(self, stream: TextIO, after: float = 1.0) -> None:
        self.on = stream.isatty()
        self._stream = stream
        self._start = time.monotonic()
        self._after = after
        self._shown = False

    def update(self, peer: str, sent: int, received: int) -> None:
        """Show where the pass with a peer stands (once it has lasted ``after`` seconds)."""
        if not self.on or time.monotonic() - self._start < self._after:
            return
        self._stream.write(f"\r\x1b[Kpeer {peer!r}: {sent} sent, {received} received")
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        """End the progress line, if one was shown."""
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
