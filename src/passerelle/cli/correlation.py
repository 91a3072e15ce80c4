"""``passerelle correlate OBJECT_ID`` and ``passerelle lookup VALUE``: what links objects
across channels, within what you may see.

Each command runs the same operation as the REST API, on the local database as ``--user``
or on a running node with ``--url`` and ``PASSERELLE_TOKEN``.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import asdict
from typing import Any

import click

from passerelle.cli.client import client_options, make_client
from passerelle.cli.endpoints import CORRELATION_DEFAULT_LIMIT, CORRELATION_LIMIT
from passerelle.cli.root import Node, cli, json_option, pass_node

_LIMIT = click.option(
    "--limit",
    type=click.IntRange(1, CORRELATION_LIMIT),
    default=CORRELATION_DEFAULT_LIMIT,
    show_default=True,
    help="Objects listed per key (counts are exact).",
)
_FEDERATED_TIMEOUT = 20.0


def _print(found: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if found.get("object_id"):
        click.echo(f"{found['object_id']} ({found['object_type']}) {found['object_name']}")
        click.echo(f"keys: {', '.join(found['keys']) or '(none)'}")
    click.echo(f"correlated objects: {found['total']}")
    for group in found["groups"]:
        more = ", more not listed" if group["more"] else ""
        click.echo(f"\n{group['key']}: {group['count']}{more}")
        for item in group["objects"]:
            via = [v for v in item["via"] if v != group["key"]]
            where = ", ".join(item["channels"])
            line = f"  {item['id']}  {item['type']}  {item['name']}  [{where}]"
            click.echo(line + (f"  via {', '.join(via)}" if via else ""))


@cli.command("correlate")
@click.argument("object_id", metavar="OBJECT_ID")
@_LIMIT
@json_option
@client_options
@pass_node
def correlate(
    node: Node, object_id: str, limit: int, as_json: bool, username: str | None, url: str | None
) -> None:
    """List the objects you may see that share an observable or an entity with OBJECT_ID.

    Observables: phone numbers (E.164), e-mail addresses, URLs, handles, domains, IP
    addresses and networks (an address correlates with the networks holding it), file
    hashes; entities: objects resolved to the same person, group or place. Only objects
    you may see are listed or counted.
    """
    request = {"object_id": object_id, "limit": limit}
    _print(make_client(node, username, url).call("correlation.correlate", request), as_json)


@cli.command("lookup")
@click.argument("value", metavar="VALUE")
@_LIMIT
@click.option(
    "--federated",
    is_flag=True,
    help="Ask the peers that speak for your organisation whether they hold it: hit or "
    "no-hit, never the content (a purpose is required: passerelle --purpose TEXT lookup).",
)
@click.option("--peer", "peer_name", metavar="NAME", help="With --federated: only this peer.")
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 600),
    default=_FEDERATED_TIMEOUT,
    show_default=True,
    help="With --federated: seconds to wait for each peer.",
)
@json_option
@client_options
@pass_node
def lookup(
    node: Node,
    value: str,
    limit: int,
    federated: bool,
    peer_name: str | None,
    timeout: float,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """List the objects you may see that carry VALUE.

    VALUE is a phone number, e-mail address, URL, handle (@name), domain, IP address or
    network, or MD5/SHA-1/SHA-256/SHA-512 hash; prefix it with its kind (phone:, email:,
    url:, handle:, domain:, ip:, cidr:, md5:, sha1:, sha256:, sha512:, entity:) to say
    which. An address also finds the networks holding it, a network what lies inside it.

    With --federated, ask the peers instead: VALUE may then also be a name (any script or
    spelling; prefix name: to say so), and each peer answers hit (with the organisations
    holding it and an RFI to send them), no-hit or refused.
    """
    if federated:
        _federated(node, value, peer_name, timeout, as_json, username, url)
        return
    if peer_name:
        raise click.UsageError("--peer goes with --federated")
    request = {"value": value, "limit": limit}
    _print(make_client(node, username, url).call("correlation.lookup", request), as_json)


def _federated(
    node: Node,
    value: str,
    peer_name: str | None,
    timeout: float,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    if url or node.settings.client.url:
        raise click.UsageError("--federated runs on the node that holds the peers, not with --url")
    from passerelle.federation.asking import ask_peers

    answers = ask_peers(node.database, node.viewer(username), value, peer_name, timeout)
    if as_json:
        click.echo(json.dumps([asdict(a) for a in answers], ensure_ascii=False, indent=2))
        return
    for found in answers:
        head = f"peer {found.peer!r} ({found.organisation}): {found.answer}"
        if found.error:
            click.echo(f"{head}: {found.error}")
            continue
        click.echo(head + (f": held by {', '.join(found.holders)}" if found.holders else ""))
        for rfi in found.suggested_rfis:
            command = ["passerelle", "rfi", "send", "--to", rfi["to"], "--urgency", "normal",
                       "--purpose", rfi["purpose"]]  # fmt: skip
            click.echo(f"  ask: {shlex.join(command)}")
