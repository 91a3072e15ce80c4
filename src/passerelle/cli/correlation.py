"""``passerelle correlate OBJECT_ID`` and ``passerelle lookup VALUE``: what links objects
across channels, within what you may see.

Each command runs the same operation as the REST API, on the local database as ``--user``
or on a running node with ``--url`` and ``PASSERELLE_TOKEN``.
"""

from __future__ import annotations

import json
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
@json_option
@client_options
@pass_node
def lookup(
    node: Node, value: str, limit: int, as_json: bool, username: str | None, url: str | None
) -> None:
    """List the objects you may see that carry VALUE.

    VALUE is a phone number, e-mail address, URL, handle (@name), domain, IP address or
    network, or MD5/SHA-1/SHA-256/SHA-512 hash; prefix it with its kind (phone:, email:,
    url:, handle:, domain:, ip:, cidr:, md5:, sha1:, sha256:, sha512:, entity:) to say
    which. An address also finds the networks holding it, a network what lies inside it.
    """
    request = {"value": value, "limit": limit}
    _print(make_client(node, username, url).call("correlation.lookup", request), as_json)
