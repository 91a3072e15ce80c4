"""Importing and exporting STIX bundles, MISP events and CSV over REST: what ``passerelle
import|export --url`` call, under the rules of the command line on the database
(:mod:`passerelle.objects.bundles`, :mod:`passerelle.interop.transfer`).
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from passerelle.api.deps import ViewerDep
from passerelle.api.routes import error_responses
from passerelle.errors import BadInput, Forbidden, NotFound
from passerelle.interop import transfer
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


class MispImportRequest(BaseModel):
    """A MISP event file (one event, a list of them, or MISP's REST answer) to convert with
    misp-stix and store in a channel."""

    channel: str = Field(min_length=1, max_length=200, description="Title, alias or id.")
    recipients: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list,
        max_length=100,
        description="Named recipients of the file's TLP:RED objects (usernames).",
    )
    event: Any = Field(description="The MISP JSON document.")


class MispImportSummary(ImportSummary):
    """What was stored and refused, how many objects the file made, what the conversion
    said, and how many MISP attributes and objects it could not convert."""

    objects: int
    notes: list[str]
    unconverted: int


@router.post(
    "/api/import/misp",
    summary="Import a MISP event",
    responses=error_responses(BadInput, Forbidden, NotFound),
)
def import_misp(body: MispImportRequest, request: Request, viewer: ViewerDep) -> MispImportSummary:
    """Convert a MISP event file to STIX (its TLP, PAP and distribution kept) and store the
    objects in a channel you may write into; a file for its organisation only goes into a
    channel only your organisation reads."""
    state = request.app.state
    raw = orjson.dumps(body.event)
    imported = transfer.import_misp(
        state.database,
        state.hooks,
        viewer,
        body.channel,
        body.recipients,
        raw,
        "the MISP file",
        state.clock,
    )
    return MispImportSummary.model_validate(imported.as_dict())


class ToolExportView(BaseModel):
    """A channel as one MISP event (JSON text) or as CSV for blocking tools."""

    form: transfer.ToolForm
    text: str = Field(description="The MISP event's JSON, or the CSV")
    said: list[str] = Field(description="What the export says: counts, notes, what was left out")
    withheld: list[str] = Field(description="H3 objects you have not acknowledged, left out")


@router.get(
    "/api/export/{form}",
    summary="Export a channel for MISP or blocking tools",
    responses=error_responses(BadInput, Forbidden, NotFound),
)
def export_for_tools(
    form: transfer.ToolForm,
    request: Request,
    viewer: ViewerDep,
    channel: Annotated[str, Query(min_length=1, max_length=200)],
) -> ToolExportView:
    """Export the channel's objects you may see as one MISP event (``misp``) or as the CSV
    values to block (``csv``, what PAP forbids blocking left out and counted); never
    TLP:RED in bulk."""
    state = request.app.state
    made = transfer.export_for_tools(state.database, viewer, channel, form, state.clock())
    return ToolExportView.model_validate(made.as_dict())
