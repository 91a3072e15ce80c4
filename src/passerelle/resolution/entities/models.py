"""The requests and answers of the entity operations, shared by the REST API and the
command line."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, Field

from passerelle.resolution.linking import AUTO, REVIEW
from passerelle.resolution.views import EntityKind

Decision = Literal["match", "review", "weak"]
MAX_NAME: Final = 300
MAX_RESULTS: Final = 50

# Requests -------------------------------------------------------------------------------


def _birth_date(value: str) -> str:
    """Refuse a birth date that is not a real YYYY, YYYY-MM or YYYY-MM-DD: it would match
    nothing, silently."""
    try:
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise ValueError(value)
        date.fromisoformat((value + "-01-01")[:10])
    except ValueError:
        raise ValueError(
            f"not a birth date: {value[:40]!r} (write YYYY, YYYY-MM or YYYY-MM-DD)"
        ) from None
    return value


class Resolve(BaseModel):
    """Find the entities a name may be."""

    name: str = Field(description="A name in any script or spelling.")
    type: EntityKind | None = Field(default=None, description="Only entities of this kind.")
    birth_dates: list[Annotated[str, AfterValidator(_birth_date)]] = Field(
        default_factory=list, description="Known birth dates (YYYY, YYYY-MM or YYYY-MM-DD)."
    )
    nationalities: list[str] = Field(
        default_factory=list, description="Known nationalities (ISO 3166 alpha-2)."
    )
    identifiers: list[str] = Field(
        default_factory=list, description="Known passport or other identity numbers."
    )
    limit: int = Field(default=10, ge=1, le=MAX_RESULTS, description="At most this many.")


class EntityRef(BaseModel):
    """One entity."""

    entity_id: str = Field(description="The entity: its full id, or 8+ characters of its uuid.")


class MergeBody(BaseModel):
    """Where an entity merges."""

    into: str = Field(description="The entity it is the same as (full id or 8+ characters).")


class Merge(MergeBody):
    """Merge an entity into another, in your organisation's view: reversible with unmerge."""

    entity_id: str = Field(description="The entity that merges (full id or 8+ characters).")


class AliasBody(BaseModel):
    """A name to add to an entity."""

    name: str = Field(description="A name the entity is known by (your organisation sees it).")


class AddAlias(AliasBody):
    """Add a name to an entity."""

    entity_id: str = Field(description="The entity: its full id, or 8+ characters of its uuid.")


class ListReview(BaseModel):
    """Which review items to list."""

    limit: int = Field(default=100, ge=1, le=1000, description="At most this many, oldest first.")


class LinkRef(BaseModel):
    """A link from an object to an entity."""

    object_id: str = Field(description="The STIX id of the object.")
    entity_id: str = Field(description="The entity: its full id, or 8+ characters of its uuid.")


# Responses ------------------------------------------------------------------------------


class ResolvedCandidate(BaseModel):
    """An entity a name may be, how well it matches and why."""

    entity_id: str
    kind: EntityKind
    name: str = Field(description="The entity's name as you may see it.")
    score: float = Field(description="0 to 1.")
    decision: Decision = Field(
        description=f"match (>= {AUTO}), review (>= {REVIEW}: a person should decide), weak."
    )
    best_name: str = Field(description="The entity's name that matched best.")
    best_name_source: str
    reasons: list[str]
    names: int = Field(description="Names of the entity that you may see.")
