"""What the review operations take and give back: requests, and drafts and their elements
as their organisation sees them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Kind = Literal["entity", "quotation", "fact", "date", "report"]
ElementState = Literal["pending", "accepted", "rejected", "corrected"]
DraftState = Literal["open", "done", "replaced"]

# Requests -------------------------------------------------------------------------------


class StoreDraft(BaseModel):
    """Store a draft for review: the bundle intake made, or an article for the node to read."""

    channel: str = Field(description="The channel it will be published into (you must write).")
    bundle: dict[str, Any] | None = Field(
        default=None, description="The draft as `passerelle intake` printed it (a STIX bundle)."
    )
    text: str | None = Field(
        default=None,
        description="Or the article (plain text or HTML) for the node to read (needs the "
        "node's intake extra).",
    )
    lang: Literal["fr", "en", "ru"] | None = Field(
        default=None, description="With text: the article's language (default: detected)."
    )
    published: str | None = Field(
        default=None, description="With text: publication date, YYYY-MM-DD."
    )
    tlp: Literal["clear", "green", "amber", "amber+strict"] = Field(
        default="clear", description="With text: TLP marking of the draft."
    )
    update: bool = Field(
        default=False,
        description="When the article was stored already (the same text or source URL): "
        "store this draft as an update of the last one, keeping its reviewed decisions; "
        "otherwise it is refused, saying which draft or report holds it.",
    )


class ListDrafts(BaseModel):
    """Which drafts to list."""

    all: bool = Field(default=False, description="Include published drafts.")


class DraftRef(BaseModel):
    """One draft."""

    draft_id: str = Field(description="The draft: its full id, or 8+ characters of its uuid.")


class DecideBody(BaseModel):
    """Why (optional; kept in the audit log)."""

    reason: str = Field(default="", description="Why (kept in the audit log).")


class Decide(DecideBody):
    """Accept or reject one element of a draft."""

    draft_id: str = Field(description="The draft: its full id, or 8+ characters of its uuid.")
    element: str = Field(
        description="The element: its number in the draft, its STIX id or 8+ characters of "
        "its uuid."
    )


class CorrectBody(BaseModel):
    """A correction: a new name and/or label, or the whole object as STIX JSON."""

    name: str | None = Field(
        default=None,
        description="The right name (an entity, the report's title) or speaker (a quotation).",
    )
    label: Literal["person", "organization", "group", "location", "platform"] | None = Field(
        default=None,
        description="What an entity is (its STIX type follows); with a quotation's speaker, "
        "what the speaker is (person by default; used when the draft does not name them).",
    )
    body: dict[str, Any] | None = Field(
        default=None, description="The corrected object as STIX 2.1 JSON (replaces it)."
    )
    value: str | None = Field(
        default=None,
        description="The right value of a date: YYYY-MM-DD, YYYY-MM or YYYY.",
    )
    reason: str = Field(default="", description="Why (kept in the audit log).")


class Correct(CorrectBody):
    """Correct one element of a draft; it is then accepted."""

    draft_id: str = Field(description="The draft: its full id, or 8+ characters of its uuid.")
    element: str = Field(
        description="The element: its number in the draft, its STIX id or 8+ characters of "
        "its uuid."
    )


class AddEntityBody(BaseModel):
    """An entity intake missed, named by the reviewer."""

    name: str = Field(description="Its name.")
    label: Literal["person", "organization", "group", "location", "platform"] = Field(
        description="What it is (its STIX type follows)."
    )
    start: int | None = Field(
        default=None, ge=0, description="Where the article names it: first character (0-based)."
    )
    end: int | None = Field(
        default=None, ge=0, description="Where the article names it: the character after."
    )
    reason: str = Field(default="", description="Why (kept in the audit log).")


class AddEntity(AddEntityBody):
    """Add an entity intake missed to a draft; it counts as reviewed (corrected)."""

    draft_id: str = Field(description="The draft: its full id, or 8+ characters of its uuid.")


class AddFactBody(BaseModel):
    """A fact intake missed: who did what to whom, between two entities of the draft."""

    subject: str = Field(description="The entity that acts: its element (number or id).")
    object: str = Field(description="The entity acted upon: its element (number or id).")
    kind: str = Field(
        pattern=r"^[a-z][a-z0-9-]{0,59}$",
        description="What the subject did to the object, as a STIX relationship type "
        "(arrested, attacked, phoned, related-to...).",
    )
    verb: str = Field(default="", max_length=200, description="The verb the article uses.")
    start: int | None = Field(
        default=None, ge=0, description="Where the article says it: first character (0-based)."
    )
    end: int | None = Field(
        default=None, ge=0, description="Where the article says it: the character after."
    )
    reason: str = Field(default="", description="Why (kept in the audit log).")


class AddFact(AddFactBody):
    """Add a fact intake missed to a draft; it counts as reviewed (corrected)."""

    draft_id: str = Field(description="The draft: its full id, or 8+ characters of its uuid.")


# Answers --------------------------------------------------------------------------------


class Element(BaseModel):
    """One reviewable element of a draft."""

    number: int = Field(description="Its number in the draft (to name it in commands).")
    stix_id: str
    kind: Kind
    summary: str
    state: ElementState
    entity_id: str | None = Field(default=None, description="The known entity intake linked.")
    decided_by: str | None = None
    decided_at: str | None = None
    object: dict[str, Any] = Field(description="The object as it would be published.")


class DraftSummary(BaseModel):
    """A draft as its organisation lists it."""

    id: str
    title: str
    channel: str
    lang: str
    published: str | None = None
    source_url: str = ""
    created: str
    created_by: str
    state: DraftState = Field(
        description="open (under review), done (published) or replaced (by an update)."
    )
    pending: int
    accepted: int = Field(description="Accepted or corrected elements.")
    rejected: int
    report_id: str | None = Field(default=None, description="The report stored on publishing.")
    replaces: str | None = Field(
        default=None, description="The draft of the same article this one updates."
    )
    same_article: list[str] = Field(
        default=[],
        description="Other drafts of the same article (same text or source URL), stored "
        "before updates existed: review one, reject the other.",
    )


class DraftView(DraftSummary):
    """A draft with its elements."""

    elements: list[Element]


class Published(BaseModel):
    """What publishing a draft stored."""

    draft: DraftView
    report_id: str
    stored: list[str] = Field(description="The ids of the objects stored in the channel.")
    left_out: list[str] = Field(
        description="Accepted objects left out, and why (a reference to a rejected element)."
    )
