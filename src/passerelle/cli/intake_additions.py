"""``passerelle intake add-entity|add-fact``: what a reviewer adds to a draft that intake
missed; the same operations as ``POST /api/intake/drafts/{id}/entities|facts``."""

from __future__ import annotations

import json
from typing import Any

import click

from passerelle.cli.client import client_options, make_client
from passerelle.cli.intake import intake_group
from passerelle.cli.root import Node, json_option, pass_node
from passerelle.errors import BadInput


def _offsets(at: str | None) -> dict[str, int | None]:
    """Return the offsets --at gives (START-END), or none."""
    if at is None:
        return {"start": None, "end": None}
    start, sep, end = at.partition("-")
    if not sep or not start.strip().isdigit() or not end.strip().isdigit():
        raise BadInput(f"--at: write the offsets as START-END (0-based), not {at[:40]!r}")
    return {"start": int(start), "end": int(end)}


_AT = click.option(
    "--at",
    metavar="START-END",
    help="Where the article says it: character offsets in its text (0-based; intake show "
    "--json gives the text as x_passerelle_article_text).",
)


@intake_group.command("add-entity")
@click.argument("draft_id", metavar="DRAFT")
@click.argument("name", metavar="NAME")
@click.option(
    "--label",
    type=click.Choice(["person", "organization", "group", "location", "platform"]),
    required=True,
    help="What the entity is (its STIX type follows).",
)
@_AT
@click.option("--reason", default="", help="Why (kept in the audit log).")
@json_option
@client_options
@pass_node
def intake_add_entity(
    node: Node,
    draft_id: str,
    name: str,
    label: str,
    at: str | None,
    reason: str,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """Add an entity intake missed to DRAFT, named NAME; it counts as reviewed."""
    request = {"draft_id": draft_id, "name": name, "label": label, "reason": reason}
    done = make_client(node, username, url).call("intake.add-entity", request | _offsets(at))
    _say_added(done, as_json)


@intake_group.command("add-fact")
@click.argument("draft_id", metavar="DRAFT")
@click.argument("subject", metavar="SUBJECT")
@click.argument("kind", metavar="KIND")
@click.argument("target", metavar="OBJECT")
@click.option("--verb", default="", help="The verb the article uses.")
@_AT
@click.option("--reason", default="", help="Why (kept in the audit log).")
@json_option
@client_options
@pass_node
def intake_add_fact(
    node: Node,
    draft_id: str,
    subject: str,
    kind: str,
    target: str,
    verb: str,
    at: str | None,
    reason: str,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """Add a fact intake missed to DRAFT: entity SUBJECT did KIND to entity OBJECT.

    SUBJECT and OBJECT are entity elements of the draft (number or id); KIND a STIX
    relationship type (arrested, attacked, phoned, related-to...). It counts as reviewed.
    """
    request = {
        "draft_id": draft_id,
        "subject": subject,
        "object": target,
        "kind": kind,
        "verb": verb,
        "reason": reason,
    }
    done = make_client(node, username, url).call("intake.add-fact", request | _offsets(at))
    _say_added(done, as_json)


def _say_added(done: dict[str, Any], as_json: bool) -> None:
    """Print what was added: the element as JSON, or its number and summary."""
    if as_json:
        click.echo(json.dumps(done, ensure_ascii=False, indent=2))
        return
    click.echo(f"added {done['number']}: {done['summary']}")
