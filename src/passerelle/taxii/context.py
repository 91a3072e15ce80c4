"""What every TAXII endpoint needs: the viewer, the database, the settings, media checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import Depends, Request

from passerelle.audit.log import record_alone
from passerelle.http.auth import current_viewer
from passerelle.http.errors import TaxiiError
from passerelle.http.guard import TAXII_PREFIX
from passerelle.http.media import TAXII_MEDIA_TYPE, accepts_taxii
from passerelle.policy.viewer import Viewer
from passerelle.settings import Settings
from passerelle.store.database import Database

API_ROOT = "root"
# The path of the one API root, under the node's TAXII prefix.
ROOT_PATH: Final = f"{TAXII_PREFIX}{API_ROOT}/"


@dataclass(frozen=True)
class Call:
    """One authenticated TAXII request."""

    viewer: Viewer
    database: Database
    settings: Settings
    base_url: str

    def audit(self, action: str, object_ids: Iterable[str] = (), **detail: Any) -> None:
        """Record what this request read or did, with the viewer's declared purpose."""
        record_alone(self.database, self.viewer, action, object_ids, detail)


def taxii_call(request: Request, viewer: Annotated[Viewer, Depends(current_viewer)]) -> Call:
    """FastAPI dependency: authenticate, then check that the client accepts TAXII 2.1."""
    if not accepts_taxii(request.headers.get("accept")):
        raise TaxiiError(406, f"this server answers only in {TAXII_MEDIA_TYPE}")
    settings: Settings = request.app.state.settings
    return Call(
        viewer=viewer,
        database=request.app.state.database,
        settings=settings,
        base_url=node_url(request, settings),
    )


def node_url(request: Request, settings: Settings) -> str:
    """Return the node's base URL (ending in '/'): the configured public URL, else the
    address the server is bound to. Never the request's Host header, which a client
    chooses (it would be echoed into discovery's api_roots)."""
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/"
    server = request.scope.get("server")
    scheme = request.scope.get("scheme", "http")
    if not server:
        return "/"
    host, port = server[0], server[1]
    default = (scheme == "http" and port == 80) or (scheme == "https" and port == 443)
    shown = f"[{host}]" if ":" in str(host) else str(host)
    return f"{scheme}://{shown}/" if default or port is None else f"{scheme}://{shown}:{port}/"


CallDep = Annotated[Call, Depends(taxii_call)]
