"""What the watch operations take and give back: requests, and watches and hits as their
organisation sees them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["subject", "name", "observable"]
WatchState = Literal["active", "expiring", "expired", "ended"]
ReportState = Literal["none", "pending", "sent", "withheld"]

# Requests -------------------------------------------------------------------------------


class AddWatch(BaseModel):
    """Watch an object, a name or an observable (exactly one of the three)."""

    subject: str | None = Field(
        default=None,
        description="STIX id of a person, group or observable you may see (identity, "
        "threat-actor, intrusion-set, an SCO, an indicator of a phone/e-mail/URL/handle).",
    )
    name: str | None = Field(default=None, description="A name of a person or group.")
    observable: str | None = Field(
        default=None,
        description="A phone number, e-mail address, URL or handle (@name, t.me/name); "
        "prefix phone:, email:, url: or handle: to say which.",
    )
    owner: str | None = Field(
        default=None, description="Who is told of hits: a user of your organisation (default: you)."
    )
    until: str | None = Field(
        default=None,
        description="Last day of the watch, YYYY-MM-DD or a timestamp (default: one year).",
    )


class ListWatches(BaseModel):
    """Which watches to list."""

    all: bool = Field(default=False, description="Include ended watches.")


class WatchRef(BaseModel):
    """One watch."""

    watch_id: str = Field(description="The watch: its full id, or 8+ characters of its uuid.")


class EndBody(BaseModel):
    """Why a watch ends."""

    reason: str = Field(description="Why the watch ends (required; kept in the audit log).")


class EndWatch(EndBody):
    """End a watch of your organisation."""

    watch_id: str = Field(description="The watch: its full id, or 8+ characters of its uuid.")


class ExtendBody(BaseModel):
    """The new end of a watch."""

    until: str = Field(description="New last day of the watch, YYYY-MM-DD or a timestamp.")


class ExtendWatch(ExtendBody):
    """Extend a watch of your organisation."""

    watch_id: str = Field(description="The watch: its full id, or 8+ characters of its uuid.")


class ListHits(BaseModel):
    """Which hits to list."""

    watch_id: str | None = Field(default=None, description="Only the hits of this watch.")
    limit: int = Field(default=100, ge=1, le=1000, description="At most this many, newest first.")


# Responses ------------------------------------------------------------------------------


class Watch(BaseModel):
    """A watch as its organisation sees it."""

    id: str
    kind: Kind
    label: str = Field(description="What is watched: the subject's name, the name or the key.")
    subject_id: str | None = None
    owner: str = Field(description="The user told of hits and of the coming expiry.")
    created_by: str
    created: str
    until: str | None = None
    ended: str | None = None
    state: WatchState = Field(
        description="active; expiring (within the warning period); expired (past its end, "
        "not extended); ended."
    )
    source_tip_id: str | None = Field(default=None, description="The tip it came from.")
    keys: list[str] = Field(default_factory=list, description="What it matches (while running).")
    hits: int = Field(description="Hits on objects you may see.")


class Hit(BaseModel):
    """A newly stored object version that matched a watch."""

    id: int
    watch_id: str
    watch_label: str
    matched: str = Field(description="The watch keys the object carried.")
    object_id: str
    object_type: str
    version: str
    at: str
    report_state: ReportState = Field(
        description="none (no partner to tell), pending, sent, withheld (rules forbid it)."
    )
    report_id: str | None = None
    report_reason: str = ""


class WatchNotices(BaseModel):
    """What the inbox shows about watches."""

    hits: list[Hit] = Field(description="The organisation's recent hits, newest first.")
    expiring: list[Watch] = Field(description="Your watches that end within the warning period.")
    expired: list[Watch] = Field(description="Your watches that ended lately without extension.")
