"""What the RFI operations take and give back: requests, and RFIs and figures as the
viewer's organisation sees them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Urgency = Literal["urgent", "normal"]
Direction = Literal["sent", "received"]
State = Literal["open", "answered", "refused"]

OPEN: State = "open"
ANSWERED: State = "answered"
REFUSED: State = "refused"

# Requests -------------------------------------------------------------------------------


class SendRfi(BaseModel):
    """Ask another organisation for information."""

    to: str = Field(description="Name of the organisation asked.")
    purpose: str = Field(description="What is asked, and why (required).")
    urgency: Urgency = Field(description="urgent (default deadline 8h) or normal (7d).")
    about: str | None = Field(
        default=None, description="STIX id of an object the request is about (you must see it)."
    )
    within: str | None = Field(
        default=None,
        description="Deadline from now, overriding the urgency's default: 90m, 24h, 14d, 2w.",
    )


class AnswerBody(BaseModel):
    """The objects that answer an RFI, and where to share those the asker cannot see."""

    objects: list[str] = Field(description="STIX ids of the objects that answer (at least one).")
    channel: str | None = Field(
        default=None,
        description=(
            "Channel (collection id, alias or title) into which to share the objects the "
            "asker cannot see yet; all or nothing."
        ),
    )


class AnswerRfi(AnswerBody):
    """Answer an RFI your organisation was asked."""

    rfi_id: str = Field(description="The RFI: its full id, or 8+ characters of its uuid.")


class RefuseBody(BaseModel):
    """Why an RFI is refused."""

    reason: str = Field(description="Why the RFI is refused (required; the asker reads it).")


class RefuseRfi(RefuseBody):
    """Refuse an RFI your organisation was asked."""

    rfi_id: str = Field(description="The RFI: its full id, or 8+ characters of its uuid.")


class ListRfis(BaseModel):
    """Which RFIs to list."""

    overdue: bool = Field(default=False, description="Only open RFIs past their deadline.")
    direction: Direction | None = Field(
        default=None, description="Only those your organisation sent, or received."
    )
    state: State | None = Field(default=None, description="Only RFIs in this state.")


class ShowRfi(BaseModel):
    """Which RFI to show."""

    rfi_id: str = Field(description="The RFI: its full id, or 8+ characters of its uuid.")


# Responses ------------------------------------------------------------------------------


class RfiRow(BaseModel):
    """One RFI as the viewer's organisation sees it."""

    id: str
    direction: Direction = Field(description="sent: your organisation asked; received: asked.")
    partner: str = Field(description="The other organisation.")
    purpose: str = Field(description="What is asked, and why: the question.")
    urgency: Urgency
    state: State
    created: str
    deadline: str
    closed_at: str | None = None
    overdue: bool = Field(description="Open and past its deadline.")
    time_left: str | None = Field(default=None, description="Open: time until the deadline.")
    late_by: str | None = Field(
        default=None, description="How far past the deadline it is (open) or was closed."
    )


class RfiDetail(RfiRow):
    """Everything about one RFI that the viewer may know."""

    from_org: str
    from_user: str
    to_org: str
    about: str | None = Field(
        default=None, description="The object it is about, only if you may see it."
    )
    closed_by: str | None = None
    reason: str = Field(default="", description="Why it was refused.")
    answers: list[str] = Field(
        default_factory=list, description="The answering objects that you may see."
    )
    shared: list[str] = Field(
        default_factory=list,
        description="Objects this answer shared into the channel (only in an answer's reply).",
    )


class RfiFigures(BaseModel):
    """RFI counts between the viewer's organisation and one partner, in one direction."""

    partner: str
    # Partner figures key their tallies by organisation; never shown.
    partner_id: int = Field(exclude=True)
    direction: Direction
    asked: int = Field(description="RFIs in this direction, whatever their state.")
    open: int
    answered: int
    refused: int
    overdue: int = Field(description="Open and past their deadline now.")
    closed_late: int = Field(description="Answered or refused after their deadline.")
