"""Importing and exporting STIX bundles over REST: what ``passerelle import|export --url``
call, under the rules of the command line on the database (:mod:`passerelle.objects.bundles`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from passerelle.api.deps import ViewerDep
from passerelle.api.routes import error_responses
from passerelle.errors import BadInput, Forbidden, NotFound
from passerelle.objects import bundles
from passerelle.settings import HANDLING_HEADER

router = APIRouter()


class ImportRequest(BaseModel):
    """A batch of STIX objects to store in a channel (at most one batch's worth)."""

    channel: str = Field(min_length=1, max_length=200, description="Title, alias or id.")
    recipients: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list,
        max_length=100,
        description="Named recipients of the batch's TLP:RED objects (usernames).",
    )
    objects: list[Any] = Field(max_length=bundles.BATCH, description="The STIX objects.")


class ImportSummary(BaseModel):
    """What was stored and what was refused, each refusal with its reason."""

    channel: str
    accepted: int
    rejected: list[dict[str, Any]]


@router.post(
    "/api/import",
    summary="Import objects",
    responses=error_responses(BadInput, Forbidden, NotFound),
)
def import_objects(body: ImportRequest, request: Request, viewer: ViewerDep) -> ImportSummary:
    """Store the objects in a channel you may write into, every rule applied to each one;
    the refused ones are listed with why (the others are stored)."""
    state = request.app.state
    target = bundles.writable_channel(state.database, viewer, body.channel, body.recipients)
    imported = bundles.import_objects(
        state.database, state.hooks, viewer, target, body.objects, body.recipients, state.clock
    )
    return ImportSummary.model_validate(imported.as_dict())


@router.get(
    "/api/export",
    summary="Export a channel",
    responses=error_responses(Forbidden, NotFound),
    response_class=StreamingResponse,
)
def export_channel(
    request: Request,
    viewer: ViewerDep,
    channel: Annotated[str, Query(min_length=1, max_length=200)],
    all_versions: bool = False,
    for_court: bool = False,
) -> StreamingResponse:
    """Stream the channel's objects you may see as a STIX bundle (never TLP:RED in bulk;
    H3 objects you have not acknowledged are left out and listed in the bundle's
    ``x_passerelle_withheld``). The header X-Passerelle-Handling says the most restrictive
    handling of the whole; an export for court is refused while an H1 object lacks its
    producer's grant."""
    exported = bundles.Exported()
    pieces = bundles.export_pieces(
        request.app.state.database, viewer, channel, all_versions, for_court, exported
    )
    handling = bundles.describe(exported.handling) if exported.handling else ""
    return StreamingResponse(
        pieces, media_type="application/json", headers={HANDLING_HEADER: handling}
    )
