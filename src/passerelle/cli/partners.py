"""``passerelle partners``: how each partner and we handle each other's tips and RFIs."""

from __future__ import annotations

import json
from typing import Any

import click

from passerelle.cli.client import client_options, make_client
from passerelle.cli.root import Node, cli, emit_rows, json_option, pass_node


def _cell(value: Any, suffix: str = "") -> str:
    return "-" if value is None else f"{value}{suffix}"


@cli.command("partners")
@json_option
@client_options
@pass_node
def partners_command(node: Node, as_json: bool, username: str | None, url: str | None) -> None:
    """Figures per partner and direction: tips, % acknowledged, median times to
    acknowledge and to outcome, outcomes by kind, RFIs, watch hits reported back."""
    found = make_client(node, username, url).call("partners", {})
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    rows = []
    for partner in found:
        for key, label in (("to_them", "to"), ("from_them", "from")):
            figures = partner[key]
            rows.append(
                {
                    "partner": partner["partner"],
                    "dir": label,
                    "tips": figures["tips"],
                    "ack": _cell(figures["acknowledged_pct"], "%"),
                    "ack in": _cell(figures["median_to_acknowledge"]),
                    "outcome": _cell(figures["with_outcome_pct"], "%"),
                    "outcome in": _cell(figures["median_to_outcome"]),
                    "outcomes": ", ".join(f"{k} {v}" for k, v in figures["outcomes"].items()),
                    "overdue": figures["overdue"],
                    "rfis a/ans/ref/late": "{}/{}/{}/{}".format(
                        figures["rfis_asked"],
                        figures["rfis_answered"],
                        figures["rfis_refused"],
                        figures["rfis_overdue"],
                    ),
                    "hits back": figures["watch_hits_reported"],
                }
            )
    columns = [
        "partner",
        "dir",
        "tips",
        "ack",
        "ack in",
        "outcome",
        "outcome in",
        "outcomes",
        "overdue",
        "rfis a/ans/ref/late",
        "hits back",
    ]
    emit_rows(rows, columns, False)
