"""``passerelle resolve``, ``passerelle entity show|merge|unmerge|alias`` and
``passerelle review [accept|reject]``: entity resolution from the command line.

Each command runs the same operation as the REST API, on the local database as ``--user``
or on a running node with ``--url`` and ``PASSERELLE_TOKEN``.
"""

from __future__ import annotations

import json
from typing import Any

import click

from passerelle.cli.client import client_options, make_client
from passerelle.cli.endpoints import RESOLVE_MAX_RESULTS
from passerelle.cli.root import Node, cli, emit_rows, json_option, pass_node

ENTITY_ARGUMENT = click.argument("entity_id", metavar="ENTITY")
_RESOLVE_COLUMNS = ["score", "decision", "entity", "kind", "name", "matched", "why"]
_REVIEW_COLUMNS = ["score", "object", "object_name", "entity", "entity_name", "matched", "why"]


def _short(entity_id: str) -> str:
    return entity_id.removeprefix("entity--")[:8]


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _print_entity(view: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _echo_json(view)
        return
    click.echo(f"{view['id']}  {view['name']} ({view['kind']})")
    if view.get("merged_into"):
        click.echo(f"merged into {view['merged_into']} (shown here)")
    if view.get("members"):
        click.echo("merged here: " + ", ".join(view["members"]))
    click.echo(f"names ({len(view['names'])}, scripts: {', '.join(view['scripts'])}):")
    for name in view["names"]:
        source = name["source"]
        if name.get("object_id"):
            source += f" {name['object_id']}"
        if name.get("added_by"):
            source += f" by {name['added_by']}"
        held = "" if name["entity_id"] == view["id"] else f"  [{_short(name['entity_id'])}]"
        click.echo(f"  {name['name']}  <- {source}{held}")
    click.echo(f"links ({len(view['links'])}):")
    for link in view["links"]:
        why = "; ".join(link["reasons"])
        click.echo(
            f"  {link['score']:.2f} {link['status']:<8} {link['object_id']} "
            f"{link['object_name']!r}: {why}"
        )
    click.echo(f"objects ({len(view['objects'])})")


@cli.command("resolve")
@click.argument("name")
@click.option(
    "--type",
    "kind",
    type=click.Choice(["person", "organization", "location"]),
    help="Only entities of this kind.",
)
@click.option("--born", "births", multiple=True, metavar="DATE", help="A known birth date.")
@click.option(
    "--nationality", "nationalities", multiple=True, metavar="CC", help="ISO country code."
)
@click.option("--identifier", "identifiers", multiple=True, help="A passport or ID number.")
@click.option("--limit", type=click.IntRange(1, RESOLVE_MAX_RESULTS), default=10, show_default=True)
@json_option
@client_options
@pass_node
def resolve(
    node: Node,
    name: str,
    kind: str | None,
    births: tuple[str, ...],
    nationalities: tuple[str, ...],
    identifiers: tuple[str, ...],
    limit: int,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """Rank the entities NAME (any script or spelling) may be, with scores and reasons.

    DECISION is match (linked automatically at ingest), review (a person decides) or weak.
    """
    request = {
        "name": name,
        "type": kind,
        "birth_dates": list(births),
        "nationalities": list(nationalities),
        "identifiers": list(identifiers),
        "limit": limit,
    }
    found = make_client(node, username, url).call("entity.resolve", request)
    if as_json:
        _echo_json(found)
        return
    emit_rows([_candidate_row(c) for c in found], _RESOLVE_COLUMNS, False)


def _candidate_row(candidate: dict[str, Any]) -> dict[str, str]:
    """One row of ``passerelle resolve``: an entity NAME may be, and why."""
    return {
        "score": f"{candidate['score']:.2f}",
        "decision": candidate["decision"],
        "entity": candidate["entity_id"],
        "kind": candidate["kind"],
        "name": candidate["name"],
        "matched": candidate["best_name"],
        "why": "; ".join(candidate["reasons"]),
    }


@cli.group("entity")
def entity_group() -> None:
    """Entities: the real-world persons, organisations and places behind objects."""


@entity_group.command("show")
@ENTITY_ARGUMENT
@json_option
@client_options
@pass_node
def entity_show(
    node: Node, entity_id: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """Show ENTITY: names in every script with their sources, links, linked objects.

    ENTITY is its full id or 8+ characters of its uuid.
    """
    view = make_client(node, username, url).call("entity.show", {"entity_id": entity_id})
    _print_entity(view, as_json)


@entity_group.command("merge")
@ENTITY_ARGUMENT
@click.argument("into", metavar="INTO")
@json_option
@client_options
@pass_node
def entity_merge(
    node: Node, entity_id: str, into: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """Merge ENTITY into INTO, the same real-world thing; `entity unmerge` undoes it."""
    view = make_client(node, username, url).call(
        "entity.merge", {"entity_id": entity_id, "into": into}
    )
    if as_json:
        _echo_json(view)
        return
    click.echo(f"merged {entity_id} into {view['id']} ({view['name']})")


@entity_group.command("unmerge")
@ENTITY_ARGUMENT
@json_option
@client_options
@pass_node
def entity_unmerge(
    node: Node, entity_id: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """Undo the merge of ENTITY: it stands alone again, as it was."""
    view = make_client(node, username, url).call("entity.unmerge", {"entity_id": entity_id})
    if as_json:
        _echo_json(view)
        return
    click.echo(f"unmerged {view['id']} ({view['name']})")


@entity_group.command("alias")
@ENTITY_ARGUMENT
@click.argument("name")
@json_option
@client_options
@pass_node
def entity_alias(
    node: Node, entity_id: str, name: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """Add NAME to ENTITY (source user; only your organisation sees it)."""
    view = make_client(node, username, url).call(
        "entity.alias", {"entity_id": entity_id, "name": name}
    )
    if as_json:
        _echo_json(view)
        return
    click.echo(f"{view['id']} ({view['name']}) is also known as {name!r}")


def _review_rows(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "score": f"{link['score']:.2f}",
            "object": link["object_id"],
            "object_name": link["object_name"],
            "entity": link["entity_id"],
            "entity_name": link["entity_name"],
            "matched": link["best_name"],
            "why": "; ".join(link["reasons"]),
        }
        for link in found
    ]


@cli.group("review", invoke_without_command=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@json_option
@client_options
@click.pass_context
def review_group(
    click_ctx: click.Context, limit: int, as_json: bool, username: str | None, url: str | None
) -> None:
    """The review queue: links of your organisation's objects that a person decides.

    Without a subcommand, list them. Accept or reject one with
    `review accept OBJECT_ID ENTITY` / `review reject OBJECT_ID ENTITY`.
    """
    if click_ctx.invoked_subcommand is not None:
        return
    node = click_ctx.find_object(Node)
    assert node is not None
    found = make_client(node, username, url).call("review.list", {"limit": limit})
    if as_json:
        _echo_json(found)
        return
    emit_rows(_review_rows(found), _REVIEW_COLUMNS, False)


def _decision(operation: str, verb: str) -> Any:
    @click.argument("object_id", metavar="OBJECT_ID")
    @ENTITY_ARGUMENT
    @json_option
    @client_options
    @pass_node
    def command(
        node: Node,
        object_id: str,
        entity_id: str,
        as_json: bool,
        username: str | None,
        url: str | None,
    ) -> None:
        link = make_client(node, username, url).call(
            operation, {"object_id": object_id, "entity_id": entity_id}
        )
        if as_json:
            _echo_json(link)
            return
        click.echo(f"{verb} {link['object_id']} -> {link['entity_id']} ({link['entity_name']})")

    return command


review_group.command(
    "accept", help="Accept the link of OBJECT_ID to ENTITY: its names become the entity's."
)(_decision("review.accept", "accepted"))
review_group.command(
    "reject", help="Reject the link of OBJECT_ID to ENTITY (with none left, a new entity)."
)(_decision("review.reject", "rejected"))
