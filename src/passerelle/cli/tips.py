"""``passerelle share`` and ``passerelle tip ...``: tips from sharing to outcome."""

from __future__ import annotations

import json
from typing import Any

import click

from passerelle.cli.client import client_options, make_client
from passerelle.cli.endpoints import OUTCOMES
from passerelle.cli.root import Node, cli, emit_rows, json_option, pass_node


def short(identifier: str) -> str:
    """Return the first 8 characters after ``type--``: enough to name a tip on the command line."""
    return identifier.split("--", 1)[-1][:8]


def _state_cell(receipt: dict[str, Any]) -> str:
    state = str(receipt["state"])
    if receipt.get("outcome"):
        state += f" ({receipt['outcome']})"
    if receipt.get("ack_overdue"):
        state += " ACK OVERDUE"
    elif receipt.get("outcome_overdue"):
        state += " OVERDUE"
    return state


def _where(recipient: dict[str, Any]) -> str:
    node = recipient.get("node")
    return f"via {node}" if node else "here"


def _recipient_rows(receipt: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per recipient of a receiving organisation, when it has several or one on a
    peer's node (its people here alone are the receipt's own row)."""
    recipients = receipt.get("recipients") or []
    if not any(r.get("node") for r in recipients):
        return []
    return [
        {
            "to": f"  {receipt['organisation']} {_where(r)}",
            "state": _state_cell({"state": r["state"], "outcome": r.get("outcome")}),
            "owner": r.get("owner") or "",
        }
        for r in recipients
    ]


def _rows(found: list[dict[str, Any]], side: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for tip in found:
        for receipt in tip["receipts"] or [{}]:
            rows.append(
                {
                    "tip": short(tip["id"]),
                    "from" if side == "received" else "to": tip["producer"]
                    if side == "received"
                    else receipt.get("organisation", ""),
                    "object": tip["object_name"][:40],
                    "state": _state_cell(receipt) if receipt else "",
                    "owner": receipt.get("owner") or "",
                    "ack by": tip["ack_deadline"][:16],
                    "outcome by": tip["outcome_deadline"][:16],
                }
            )
            if side == "sent" and receipt:
                blank = {"tip": "", "object": "", "ack by": "", "outcome by": ""}
                rows += [blank | row for row in _recipient_rows(receipt)]
    return rows


@cli.command("share")
@click.argument("object_id")
@click.option("--channel", "channel", required=True, help="Channel title, alias or collection id.")
@click.option(
    "--recipient",
    "recipients",
    multiple=True,
    help="A user whose organisation receives the tip (repeat; default: every reading "
    "member). For a TLP:RED object, also a named recipient.",
)
@click.option("--ack-within", help="Acknowledgement deadline, e.g. 24h (default 24h).")
@click.option("--outcome-within", help="Outcome deadline, e.g. 14d (default 14d).")
@click.option("--action-requested", default="", help="What you ask the recipients to do.")
@json_option
@client_options
@pass_node
def share_command(
    node: Node,
    object_id: str,
    channel: str,
    recipients: tuple[str, ...],
    ack_within: str | None,
    outcome_within: str | None,
    action_requested: str,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """Share OBJECT_ID (a Report shares what it refers to) into a channel as a tip.

    Everything is shared or nothing: what the handling rules forbid is listed with why.
    """
    request = {
        "object_id": object_id,
        "channel": channel,
        "recipients": list(recipients),
        "ack_within": ack_within,
        "outcome_within": outcome_within,
        "action_requested": action_requested,
    }
    tip = make_client(node, username, url).call("tips.share", request)
    if as_json:
        click.echo(json.dumps(tip, ensure_ascii=False, indent=2))
        return
    receivers = ", ".join(r["organisation"] for r in tip["receipts"])
    click.echo(f"shared tip {tip['id']} ({len(tip['objects'])} objects) to {receivers}")
    click.echo(f"acknowledgement due {tip['ack_deadline']}, outcome due {tip['outcome_deadline']}")
    if tip["not_shared"]:
        click.echo(f"not shared (not available to you here): {', '.join(tip['not_shared'])}")


@cli.group("tip")
def tips_group() -> None:
    """Tips received and sent: inbox, acknowledge, investigate, close, deadlines (`tips`
    is this command's old name, still accepted)."""


@tips_group.command("inbox")
@click.option("--all", "show_all", is_flag=True, help="Include closed tips.")
@json_option
@client_options
@pass_node
def inbox_command(
    node: Node, show_all: bool, as_json: bool, username: str | None, url: str | None
) -> None:
    """List the tips your organisation received, open ones first."""
    found = make_client(node, username, url).call("tips.inbox", {"all": show_all})
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    emit_rows(
        _rows(found["tips"], "received"),
        ["tip", "from", "object", "state", "owner", "ack by", "outcome by"],
        False,
    )
    notices = found["watches"]
    if notices["hits"]:
        click.echo("\nwatch hits:")
        hits = [
            {
                "watch": short(hit["watch_id"]),
                "watching": hit["watch_label"][:40],
                "matched": hit["matched"],
                "object": hit["object_id"],
                "at": hit["at"][:16],
                "partner told": hit["report_state"],
            }
            for hit in notices["hits"]
        ]
        emit_rows(hits, ["watch", "watching", "matched", "object", "at", "partner told"], False)
    for title, key in (("watches about to expire", "expiring"), ("watches expired", "expired")):
        if notices[key]:
            click.echo(f"\n{title} (extend with: passerelle watch extend WATCH --until DATE):")
            rows = [
                {"watch": short(w["id"]), "watching": w["label"][:40], "until": w["until"]}
                for w in notices[key]
            ]
            emit_rows(rows, ["watch", "watching", "until"], False)


@tips_group.command("sent")
@click.option("--all", "show_all", is_flag=True, help="Include tips closed everywhere.")
@json_option
@client_options
@pass_node
def sent_command(
    node: Node, show_all: bool, as_json: bool, username: str | None, url: str | None
) -> None:
    """List the tips your organisation shared, with each recipient's state."""
    found = make_client(node, username, url).call("tips.sent", {"all": show_all})
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    emit_rows(
        _rows(found, "sent"),
        ["tip", "to", "object", "state", "owner", "ack by", "outcome by"],
        False,
    )


@tips_group.command("show")
@click.argument("tip_id")
@json_option
@client_options
@pass_node
def show_command(
    node: Node, tip_id: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """Show a tip (its id or first 8 characters) and the history you may see."""
    tip = make_client(node, username, url).call("tips.show", {"tip_id": tip_id})
    if as_json:
        click.echo(json.dumps(tip, ensure_ascii=False, indent=2))
        return
    _print_tip(tip)


def _print_tip(tip: dict[str, Any]) -> None:
    # The side is where the tip came from or went, not a state: "received" alone read as
    # one after the tip was closed.
    side = "you sent it" if tip["side"] == "sent" else "sent to you"
    click.echo(f"tip {tip['id']} ({side})")
    click.echo(f"  object:    {tip['object_name']} [{tip['object_id']}]")
    via = f" via {tip['shared_via']}" if tip.get("shared_via") else ""
    click.echo(f"  from:      {tip['producer']} ({tip['shared_by']}{via}), {tip['shared_at']}")
    click.echo(f"  channel:   {tip['channel']}")
    if tip["action_requested"]:
        click.echo(f"  requested: {tip['action_requested']}")
    click.echo(
        f"  deadlines: acknowledge by {tip['ack_deadline']}, outcome by {tip['outcome_deadline']}"
    )
    for receipt in tip["receipts"]:
        click.echo(f"  {receipt['organisation']}: {_state_cell(receipt)}")
        for field in ("owner", "arrests", "seizures", "checked", "note", "watch_declined"):
            if receipt.get(field) not in (None, ""):
                click.echo(f"    {field.replace('_', ' ')}: {receipt[field]}")
        for row in _recipient_rows(receipt):
            owner = f", owner {row['owner']}" if row["owner"] else ""
            click.echo(f"    {row['to'].strip()}: {row['state']}{owner}")
        for watch in receipt.get("watches", []):
            click.echo(f"    watching: {watch}")
        for event in receipt.get("history", []):
            # A receipt begins when the sender shares: its first event is theirs.
            who = "from" if event["state"] == "received" else "by"
            click.echo(f"    {event['at']}  {event['state']:<13} {who} {event['by']}")


def _echo_result(tip: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(tip, ensure_ascii=False, indent=2))
        return
    _print_tip(tip)


@tips_group.command("ack")
@click.argument("tip_id")
@click.option("--owner", help="Who owns the tip in your organisation (default: you).")
@json_option
@client_options
@pass_node
def ack_command(
    node: Node,
    tip_id: str,
    owner: str | None,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """Acknowledge a received tip; the producer is told, with the owner's name."""
    request = {"tip_id": tip_id, "owner": owner}
    _echo_result(make_client(node, username, url).call("tips.ack", request), as_json)


@tips_group.command("investigate")
@click.argument("tip_id")
@json_option
@client_options
@pass_node
def investigate_command(
    node: Node, tip_id: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """Record that an acknowledged tip is under investigation."""
    request = {"tip_id": tip_id}
    _echo_result(make_client(node, username, url).call("tips.investigate", request), as_json)


@tips_group.command("close")
@click.argument("tip_id")
@click.option("--outcome", required=True, type=click.Choice(OUTCOMES), help="What came of the tip.")
@click.option("--arrests", type=click.IntRange(min=0), help="actioned: how many people arrested.")
@click.option("--seizures", default="", help="actioned: what was seized.")
@click.option("--checked", default="", help="What was checked (required for no_link_found).")
@click.option("--note", default="", help="Free text for the producer.")
@click.option(
    "--no-watch",
    "no_watch_reason",
    default="",
    help="no_link_found: do not watch the tip's subjects, for this reason.",
)
@json_option
@client_options
@pass_node
def close_command(
    node: Node,
    tip_id: str,
    outcome: str,
    arrests: int | None,
    seizures: str,
    checked: str,
    note: str,
    no_watch_reason: str,
    as_json: bool,
    username: str | None,
    url: str | None,
) -> None:
    """Close a tip with an outcome; it flows back to the producer as STIX feedback.

    Closing with no_link_found puts the tip's subjects on watch unless --no-watch says why not.
    """
    request = {
        "tip_id": tip_id,
        "outcome": outcome,
        "arrests": arrests,
        "seizures": seizures,
        "checked": checked,
        "note": note,
        "watch": not no_watch_reason,
        "no_watch_reason": no_watch_reason,
    }
    _echo_result(make_client(node, username, url).call("tips.close", request), as_json)


@tips_group.command("overdue")
@json_option
@client_options
@pass_node
def overdue_command(node: Node, as_json: bool, username: str | None, url: str | None) -> None:
    """List tips past a deadline: those you owe an answer on, and those partners owe you."""
    found = make_client(node, username, url).call("tips.overdue", {})
    rows = [dict(row, tip=row["tip_id"] if as_json else short(row["tip_id"])) for row in found]
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    emit_rows(
        rows, ["tip", "side", "partner", "object_name", "missing", "deadline", "late_by"], False
    )
