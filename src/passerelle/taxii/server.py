"""Discovery, API root, collections and status (TAXII 2.1 sections 4, 5.1, 5.2, 4.3)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from passerelle import __version__
from passerelle.http.errors import TaxiiError
from passerelle.http.guard import TAXII_PREFIX
from passerelle.http.media import TAXII_MEDIA_TYPE, TaxiiResponse
from passerelle.objects.queries import STIX_MEDIA_TYPE, status_of
from passerelle.policy.directory import Channel
from passerelle.policy.visibility import channel_for, member_channels, rights_in
from passerelle.taxii.context import ROOT_PATH, CallDep

router = APIRouter(default_response_class=TaxiiResponse)


@router.get(TAXII_PREFIX)
def discovery(call: CallDep) -> TaxiiResponse:
    """Describe this TAXII server and list its API root."""
    body: dict[str, Any] = {
        "title": call.settings.title,
        "description": "Passerelle intelligence exchange",
        "default": call.base_url + ROOT_PATH.removeprefix("/"),
        "api_roots": [call.base_url + ROOT_PATH.removeprefix("/")],
    }
    if call.settings.contact:
        body["contact"] = call.settings.contact
    return TaxiiResponse(body)


@router.get(ROOT_PATH)
def api_root(call: CallDep) -> TaxiiResponse:
    """Describe the API root: versions served and the largest request accepted."""
    return TaxiiResponse(
        {
            "title": call.settings.title,
            "description": f"Passerelle {__version__}: channels shared with your organisation",
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": call.settings.max_content_length,
        }
    )


def collection_resource(channel: Channel, can_read: bool, can_write: bool) -> dict[str, Any]:
    """Render a channel as a TAXII collection resource."""
    body: dict[str, Any] = {
        "id": channel.collection_id,
        "title": channel.title,
        "can_read": can_read,
        "can_write": can_write,
        "media_types": [STIX_MEDIA_TYPE],
    }
    if channel.description:
        body["description"] = channel.description
    if channel.alias:
        body["alias"] = channel.alias
    return body


@router.get(f"{ROOT_PATH}collections/")
def collections(call: CallDep) -> TaxiiResponse:
    """List the channels of which the caller's organisation is a member."""
    with call.database.read() as conn:
        found = [
            collection_resource(channel, *rights_in(conn, call.viewer, channel.id))
            for channel in member_channels(conn, call.viewer)
        ]
    call.audit("read-collections")
    return TaxiiResponse({"collections": found} if found else {})


@router.get(f"{ROOT_PATH}collections/{{collection_id}}/")
def collection(collection_id: str, call: CallDep) -> TaxiiResponse:
    """Describe one channel, if the caller's organisation is a member."""
    with call.database.read() as conn:
        channel = channel_for(conn, call.viewer, collection_id)
        return TaxiiResponse(
            collection_resource(channel, *rights_in(conn, call.viewer, channel.id))
        )


@router.get(f"{ROOT_PATH}status/{{status_id}}/")
def status(status_id: str, call: CallDep) -> TaxiiResponse:
    """Report the outcome of an earlier POST of objects by the caller's organisation."""
    with call.database.read() as conn:
        found = status_of(conn, call.viewer, status_id)
    if found is None:
        raise TaxiiError(404, f"no status {status_id[:60]!r}")
    call.audit("read-status", [s["id"] for s in found.get("successes", [])], status=status_id)
    return TaxiiResponse(found)
