"""Requests and answers of the subscription operations."""

from __future__ import annotations

from pydantic import BaseModel, Field

from passerelle.notify.kinds import Kind, Via


class Subscribe(BaseModel):
    """Be told of one kind of event by e-mail or by a signed webhook."""

    kind: Kind = Field(description="What to be told of")
    email: str | None = Field(None, max_length=254, description="The mailbox to write to")
    webhook: str | None = Field(None, max_length=2000, description="The URL to POST to")
    secret: str | None = Field(
        None,
        min_length=16,
        max_length=512,
        description="The key webhook bodies are signed with (HMAC-SHA256); never shown again",
    )


class Unsubscribe(BaseModel):
    """Stop being told of a kind of event (by this address only, if one is named)."""

    kind: Kind
    email: str | None = Field(None, max_length=254)
    webhook: str | None = Field(None, max_length=2000)


class ListSubscriptions(BaseModel):
    """A request without fields."""


class Subscription(BaseModel):
    """One subscription of yours (a webhook's secret is never shown)."""

    kind: Kind
    via: Via
    address: str
    created: str
    pending: int = Field(description="Notices waiting to be delivered")
    delivered: int
    failed: int


class Unsubscribed(BaseModel):
    """What an unsubscription removed."""

    removed: int = Field(description="Subscriptions removed")
    dropped: int = Field(description="Notices that were waiting, now dropped")
