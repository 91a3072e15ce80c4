"""TAXII media types: checking what clients send and accept, and answering in kind."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

_TAXII_JSON = "application/taxii+json"
TAXII_MEDIA_TYPE = f"{_TAXII_JSON};version=2.1"

_ACCEPTABLE_RANGES = {"*/*", "application/*", _TAXII_JSON}


def _params(part: str) -> tuple[str, dict[str, str]]:
    kind, *raw = (piece.strip() for piece in part.split(";"))
    params = {}
    for item in raw:
        key, _, value = item.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return kind.lower(), params


def accepts_taxii(accept: str | None) -> bool:
    """Tell whether an Accept header admits TAXII 2.1 JSON (a missing header does)."""
    if not accept or not accept.strip():
        return True
    for part in accept.split(","):
        kind, params = _params(part)
        if kind not in _ACCEPTABLE_RANGES or params.get("q") in ("0", "0.0", "0.00", "0.000"):
            continue
        if kind == _TAXII_JSON and params.get("version", "2.1") != "2.1":
            continue
        return True
    return False


def is_taxii_content(content_type: str | None) -> bool:
    """Tell whether a Content-Type header names TAXII 2.1 JSON."""
    if not content_type:
        return False
    kind, params = _params(content_type)
    return kind == _TAXII_JSON and params.get("version", "2.1") == "2.1"


class TaxiiResponse(Response):
    """A response in TAXII 2.1 JSON."""

    media_type = TAXII_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        """Serialise with orjson; pre-rendered bytes pass through untouched."""
        if isinstance(content, bytes):
            return content
        return orjson.dumps(content)
