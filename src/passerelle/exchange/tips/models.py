"""What the tip operations take and give back: requests, and tips and receipts as the
asking user may see them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from passerelle.exchange.watches.models import WatchNotices

State = Literal["received", "acknowledged", "investigating", "closed"]
Outcome = Literal["actioned", "corroborated", "refuted", "no_link_found", "no_longer_relevant"]
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]

# -- requests and answers -------------------------------------------------------------


class ShareRequest(BaseModel):
    """Share an object (and what it refers to) into a channel as a tip."""

    object_id: str
    channel: str = Field(description="Channel title, alias or collection id")
    recipients: list[str] = Field(
        default_factory=list,
        description="Usernames: their organisations receive the tip (default: every "
        "reading member); for a TLP:RED object they become named recipients",
    )
    ack_within: str | None = Field(default=None, description="Acknowledgement deadline, e.g. 24h")
    outcome_within: str | None = Field(default=None, description="Outcome deadline, e.g. 14d")
    action_requested: str = ""


class TipRef(BaseModel):
    """Names a tip: its id, or a unique prefix of at least 8 characters of it."""

    tip_id: str


class AckBody(BaseModel):
    """Acknowledge a tip, naming who owns it."""

    owner: str | None = Field(default=None, description="Username (default: you)")


class AckRequest(TipRef, AckBody):
    """Acknowledge a tip."""


class CloseBody(BaseModel):
    """Close a tip with an outcome."""

    outcome: Outcome
    arrests: int | None = Field(default=None, ge=0, description="actioned: people arrested")
    seizures: str = Field(default="", description="actioned: what was seized")
    checked: str = Field(default="", description="What was checked (required for no_link_found)")
    note: str = Field(default="", description="Free text for the producer")
    watch: bool = Field(default=True, description="no_link_found: put the tip's subjects on watch")
    no_watch_reason: str = Field(default="", description="Why the subjects are not watched")


class CloseRequest(TipRef, CloseBody):
    """Close a tip."""


class ListRequest(BaseModel):
    """List tips; closed ones only with ``all``."""

    all: bool = False


class NoRequest(BaseModel):
    """No parameters."""


class Event(BaseModel):
    """One transition of a receipt."""

    state: str
    by: str
    at: str
    feedback: list[str] = Field(default_factory=list)


class Recipient(BaseModel):
    """Where one recipient of a receiving organisation stands: its people on this node
    (``node`` null) or on a peer's node (``node``: that peer's node account here)."""

    node: str | None = None
    state: str
    received_at: str
    owner: str | None = None
    acknowledged_at: str | None = None
    investigating_at: str | None = None
    closed_at: str | None = None
    outcome: str | None = None
    arrests: int | None = None
    seizures: str = ""
    checked: str = ""
    note: str = ""


class Receipt(BaseModel):
    """A tip's state in one receiving organisation: the furthest of its recipients'."""

    organisation: str
    state: str
    received_at: str
    owner: str | None = None
    acknowledged_at: str | None = None
    investigating_at: str | None = None
    closed_at: str | None = None
    outcome: str | None = None
    arrests: int | None = None
    seizures: str = ""
    checked: str = ""
    note: str = ""
    watch_declined: str = ""
    watches: list[str] = Field(default_factory=list)
    ack_overdue: bool = False
    outcome_overdue: bool = False
    history: list[Event] = Field(default_factory=list)
    recipients: list[Recipient] = Field(default_factory=list)


class Tip(BaseModel):
    """A tip as the asking user may see it."""

    id: str
    side: Literal["sent", "received"]
    object_id: str
    object_type: str
    object_name: str
    channel: str
    producer: str
    shared_by: str
    shared_via: str | None = Field(
        default=None, description="A tip a peer's node announced: that node's account here"
    )
    shared_at: str
    ack_deadline: str
    outcome_deadline: str
    action_requested: str
    objects: list[str] = Field(default_factory=list)
    not_shared: list[str] = Field(default_factory=list)
    receipts: list[Receipt] = Field(default_factory=list)


class Inbox(BaseModel):
    """What a user's inbox holds: received tips, and what their watches report."""

    tips: list[Tip]
    watches: WatchNotices


class Overdue(BaseModel):
    """A receipt past one of its deadlines."""

    tip_id: str
    side: Literal["sent", "received"]
    partner: str
    object_name: str
    state: str
    missing: Literal["acknowledgement", "outcome"]
    deadline: str
    late_by: str
