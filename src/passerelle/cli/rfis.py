"""``passerelle rfi send|answer|refuse|list|show``: requests for information (RFIs).

Each command runs the same operation as the REST API, on the local database as ``--user``
or on a running node with ``--url`` and ``PASSERELLE_TOKEN``.
"""

from __future__ import annotations

import json
from typing import Any

import click

from passerelle.cli.client import client_options, make_client
from passerelle.cli.root import Node, cli, emit_rows, json_option, pass_node

RFI_ARGUMENT = click.argument("rfi_id", metavar="RFI")
_LIST_COLUMNS = [
    "id",
    "direction",
    "partner",
    "question",
    "urgency",
    "state",
    "created",
    "deadline",
    "overdue",
    "due",
]


def _when(text: str | None) -> str:
    """Shorten a timestamp for people: ``2027-01-11 09:00Z``."""
    return f"{text[:10]} {text[11:16]}Z" if text else ""


def _due(row: dict[str, Any]) -> str:
    """Say how the RFI stands against its deadline: ``7h left``, ``1h late``..."""
    closed = "closed " if row.get("state") != "open" else ""
    if row.get("late_by"):
        return f"{closed}{row['late_by']} late"
    if closed:
        return "closed on time"
    return f"{row.get('time_left') or '0m'} left"


def _short(text: str, width: int = 40) -> str:
    """Cut a question to one table cell (``rfi show`` prints it whole)."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _table_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "question": _short(row["purpose"]),
        "created": _when(row["created"]),
        "deadline": _when(row["deadline"]),
        "overdue": "OVERDUE" if row["overdue"] else "",
        "due": _due(row),
    }


def _print_detail(detail: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(detail, ensure_ascii=False, indent=2))
        return
    lines = [
        ("id", detail["id"]),
        ("direction", detail["direction"]),
        ("from", f"{detail['from_org']} ({detail['from_user']})"),
        ("to", detail["to_org"]),
        ("urgency", detail["urgency"]),
        ("state", detail["state"] + (" (OVERDUE)" if detail["overdue"] else "")),
        ("created", _when(detail["created"])),
        ("deadline", f"{_when(detail['deadline'])} ({_due(detail)})"),
        ("purpose", detail["purpose"]),
    ]
    if detail.get("about"):
        lines.insert(-1, ("about", detail["about"]))
    if detail.get("closed_at"):
        lines.append(("closed", f"{_when(detail['closed_at'])} by {detail.get('closed_by')}"))
    if detail.get("reason"):
        lines.append(("reason", detail["reason"]))
    if detail.get("answers"):
        lines.append(("answers", ", ".join(detail["answers"])))
    if detail.get("shared"):
        lines.append(("shared", ", ".join(detail["shared"])))
    for label, value in lines:
        click.echo(f"{label + ':':<10} {value}")


@cli.group("rfi")
def rfi_group() -> None:
    """Requests for information: ask a partner organisation; answer or refuse its asks."""


@rfi_group.command("send")
@click.option("--to", "to_org", required=True, metavar="ORG", help="The organisation you ask.")
@click.option("--purpose", required=True, help="What you ask, and why (the partner reads it).")
@click.option(
    "--urgency",
    type=click.Choice(["urgent", "normal"]),
    required=True,
    help="urgent: due within 8 hours by default; normal: within 7 days.",
)
@click.option(
    "--about", metavar="OBJECT_ID", help="The object this RFI is about (one you may see)."
)
@click.option(
    "--within",
    metavar="DURATION",
    help="Deadline from now instead of the urgency's default: 90m, 24h, 14d, 2w.",
)
@json_option
@client_options
@pass_node
def rfi_send(
    node: Node,
    to_org: str,
    purpose: str,
    urgency: str,
    about: str | None,
    within: str | None,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """Ask another organisation for information, by a deadline."""
    request = {
        "to": to_org,
        "purpose": purpose,
        "urgency": urgency,
        "about": about,
        "within": within,
    }
    detail = make_client(node, username, url).call("rfi.send", request)
    if as_json:
        _print_detail(detail, True)
        return
    click.echo(
        f"sent {detail['id']} to {detail['to_org']} ({detail['urgency']}), "
        f"due {_when(detail['deadline'])} ({_due(detail)})"
    )


@rfi_group.command("answer")
@RFI_ARGUMENT
@click.option(
    "--object",
    "object_ids",
    multiple=True,
    required=True,
    metavar="OBJECT_ID",
    help="An object that answers (repeat for several; at least one).",
)
@click.option(
    "--channel",
    metavar="CHANNEL",
    help="Share the objects the asker cannot see yet into this channel (all or nothing).",
)
@json_option
@client_options
@pass_node
def rfi_answer(
    node: Node,
    rfi_id: str,
    object_ids: tuple[str, ...],
    channel: str | None,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """Answer RFI, which your organisation was asked, with objects."""
    request = {"rfi_id": rfi_id, "objects": list(object_ids), "channel": channel}
    detail = make_client(node, username, url).call("rfi.answer", request)
    if as_json:
        _print_detail(detail, True)
        return
    shared = detail.get("shared") or []
    note = f"; shared {len(shared)} of them into {channel!r}" if shared else ""
    click.echo(f"answered {detail['id']} with {len(detail['answers'])} object(s){note}")


@rfi_group.command("refuse")
@RFI_ARGUMENT
@click.option("--reason", required=True, help="Why you refuse (required; the asker reads it).")
@json_option
@client_options
@pass_node
def rfi_refuse(
    node: Node, rfi_id: str, reason: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """Refuse RFI, which your organisation was asked, with a reason."""
    detail = make_client(node, username, url).call(
        "rfi.refuse", {"rfi_id": rfi_id, "reason": reason}
    )
    if as_json:
        _print_detail(detail, True)
        return
    click.echo(f"refused {detail['id']}")


@rfi_group.command("list")
@click.option("--overdue", is_flag=True, help="Only open RFIs past their deadline.")
@click.option(
    "--direction",
    type=click.Choice(["sent", "received"]),
    help="Only the RFIs your organisation sent, or received.",
)
@click.option(
    "--state",
    type=click.Choice(["open", "answered", "refused"]),
    help="Only RFIs in this state.",
)
@json_option
@client_options
@pass_node
def rfi_list(
    node: Node,
    overdue: bool,
    direction: str | None,
    state: str | None,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """List your organisation's RFIs, sent and received: open ones first, soonest due."""
    request = {"overdue": overdue, "direction": direction, "state": state}
    rows = make_client(node, username, url).call("rfi.list", request)
    if as_json:
        emit_rows(rows, _LIST_COLUMNS, True)
        return
    emit_rows([_table_row(row) for row in rows], _LIST_COLUMNS, False)


@rfi_group.command("show")
@RFI_ARGUMENT
@json_option
@client_options
@pass_node
def rfi_show(node: Node, rfi_id: str, as_json: bool, username: str | None, url: str | None) -> None:
    """Show RFI (its full id, or 8+ characters of it) with its answers you may see."""
    detail = make_client(node, username, url).call("rfi.show", {"rfi_id": rfi_id})
    _print_detail(detail, as_json)
