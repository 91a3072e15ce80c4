"""The kinds of events a user may be told of, and how each is named to people."""

from __future__ import annotations

from typing import Literal

Kind = Literal[
    "tip-received",
    "deadline-near",
    "overdue",
    "outcome-received",
    "watch-hit",
    "rfi-received",
    "rfi-answered",
]
KINDS: tuple[Kind, ...] = (
    "tip-received",
    "deadline-near",
    "overdue",
    "outcome-received",
    "watch-hit",
    "rfi-received",
    "rfi-answered",
)
Via = Literal["email", "webhook"]

# The subject of an e-mail, the title of a webhook's notice.
TITLES: dict[str, str] = {
    "tip-received": "A tip awaits you",
    "deadline-near": "A deadline is near",
    "overdue": "A deadline has passed",
    "outcome-received": "An outcome awaits you",
    "watch-hit": "A watch has a new hit",
    "rfi-received": "A request for information awaits you",
    "rfi-answered": "Your request for information was answered",
}
