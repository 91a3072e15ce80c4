"""``passerelle watch add|list|show|hits|end|extend``: standing alerts on subjects, names
and observables.

Each command runs the same operation as the REST API, on the local database as ``--user``
or on a running node with ``--url`` and ``PASSERELLE_TOKEN``.
"""

from __future__ import annotations

import json
from typing import Any

import click

from passerelle.cli.client import client_options, make_client
from passerelle.cli.root import Node, cli, emit_rows, json_option, pass_node

WATCH_ARGUMENT = click.argument("watch_id", metavar="WATCH")
_LIST_COLUMNS = ["id", "kind", "label", "owner", "until", "state", "hits"]
_HIT_COLUMNS = ["at", "watch", "matched", "object", "reported"]


def _when(text: str | None) -> str:
    """Shorten a timestamp for people: ``2027-01-11 09:00Z``."""
    return f"{text[:10]} {text[11:16]}Z" if text else ""


def _state(row: dict[str, Any]) -> str:
    state = str(row["state"])
    return state.upper() if state in ("expiring", "expired") else state


def _print_watch(watch: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(watch, ensure_ascii=False, indent=2))
        return
    lines = [
        ("id", watch["id"]),
        ("watches", f"{watch['label']} ({watch['kind']})"),
        ("owner", watch["owner"]),
        ("created", f"{_when(watch['created'])} by {watch['created_by']}"),
        ("until", _when(watch["until"]) or "no end"),
        ("state", _state(watch)),
        ("hits", watch["hits"]),
    ]
    if watch.get("subject_id"):
        lines.insert(2, ("subject", watch["subject_id"]))
    if watch.get("source_tip_id"):
        lines.append(("from tip", watch["source_tip_id"]))
    if watch.get("ended"):
        lines.append(("ended", _when(watch["ended"])))
    if watch.get("keys"):
        lines.append(("matches", ", ".join(watch["keys"])))
    for label, value in lines:
        click.echo(f"{label + ':':<9} {value}")


@cli.group("watch")
def watch_group() -> None:
    """Watches: standing alerts on a person, group, phone number, address or account."""


@watch_group.command("add")
@click.option(
    "--subject",
    metavar="OBJECT_ID",
    help="Watch this object (a person, group or observable you may see).",
)
@click.option("--name", help="Watch this name of a person or group.")
@click.option(
    "--observable",
    metavar="VALUE",
    help="Watch a phone number, e-mail address, URL or handle (@name, t.me/name).",
)
@click.option("--owner", metavar="USER", help="Who is told of hits (default: you).")
@click.option(
    "--until", metavar="DATE", help="Last day of the watch, YYYY-MM-DD (default: a year)."
)
@json_option
@client_options
@pass_node
def watch_add(
    node: Node,
    subject: str | None,
    name: str | None,
    observable: str | None,
    owner: str | None,
    until: str | None,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """Put a subject, a name or an observable on watch.

    Give exactly one of --subject, --name and --observable. The owner is told of every
    hit and, 7 days ahead, of the watch's end; without --until it runs for a year.
    """
    request = {
        "subject": subject,
        "name": name,
        "observable": observable,
        "owner": owner,
        "until": until,
    }
    watch = make_client(node, username, url).call("watch.add", request)
    if as_json:
        _print_watch(watch, True)
        return
    click.echo(
        f"watching {watch['label']} as {watch['id']} for {watch['owner']} "
        f"until {_when(watch['until'])}"
    )
    if watch["hits"]:
        click.echo(f"{watch['hits']} stored object(s) already match: passerelle watch hits")


@watch_group.command("list")
@click.option("--all", "include_ended", is_flag=True, help="Include ended watches.")
@json_option
@client_options
@pass_node
def watch_list(
    node: Node, include_ended: bool, as_json: bool, username: str | None, url: str | None
) -> None:
    """List your organisation's watches, newest first.

    EXPIRING watches end within 7 days, EXPIRED ones have ended without being extended
    (watch extend); ended watches show only with --all.
    """
    found = make_client(node, username, url).call("watch.list", {"all": include_ended})
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    rows = [{**w, "until": _when(w["until"]), "state": _state(w)} for w in found]
    emit_rows(rows, _LIST_COLUMNS, False)


@watch_group.command("show")
@WATCH_ARGUMENT
@json_option
@client_options
@pass_node
def watch_show(
    node: Node, watch_id: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """Show WATCH and what it matches on.

    WATCH is its full id or 8+ characters of its uuid.
    """
    watch = make_client(node, username, url).call("watch.show", {"watch_id": watch_id})
    _print_watch(watch, as_json)


@watch_group.command("hits")
@click.option("--watch", "watch_id", metavar="WATCH", help="Only the hits of this watch.")
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    default=100,
    show_default=True,
    help="At most this many hits, newest first.",
)
@json_option
@client_options
@pass_node
def watch_hits(
    node: Node,
    watch_id: str | None,
    limit: int,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """List new objects that matched your watches.

    Newest first; only objects you may see are listed. REPORTED says whether the partner
    whose tip started the watch was told (sent), will be (pending), or may not be
    (withheld).
    """
    found = make_client(node, username, url).call(
        "watch.hits", {"watch_id": watch_id, "limit": limit}
    )
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    rows = [
        {
            "at": _when(h["at"]),
            "watch": h["watch_label"],
            "matched": h["matched"],
            "object": h["object_id"],
            "reported": "" if h["report_state"] == "none" else h["report_state"],
        }
        for h in found
    ]
    emit_rows(rows, _HIT_COLUMNS, False)


@watch_group.command("end")
@WATCH_ARGUMENT
@click.option("--reason", required=True, help="Why the watch ends (kept in the audit log).")
@json_option
@client_options
@pass_node
def watch_end(
    node: Node, watch_id: str, reason: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """End WATCH, saying why; it stops matching at once."""
    watch = make_client(node, username, url).call(
        "watch.end", {"watch_id": watch_id, "reason": reason}
    )
    if as_json:
        _print_watch(watch, True)
        return
    click.echo(f"ended {watch['id']} ({watch['label']})")


@watch_group.command("extend")
@WATCH_ARGUMENT
@click.option("--until", required=True, metavar="DATE", help="New last day, YYYY-MM-DD.")
@json_option
@client_options
@pass_node
def watch_extend(
    node: Node, watch_id: str, until: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """Move the end of WATCH to a later day.

    An expired watch (not ended) runs again.
    """
    watch = make_client(node, username, url).call(
        "watch.extend", {"watch_id": watch_id, "until": until}
    )
    if as_json:
        _print_watch(watch, True)
        return
    click.echo(f"extended {watch['id']} ({watch['label']}) until {_when(watch['until'])}")
