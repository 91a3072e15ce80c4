"""What every TAXII endpoint needs: the viewer, the database, the settings, media checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from passerelle.audit.log import record_alone
from passerelle.http.auth import current_viewer
from passerelle.http.errors import TaxiiError
from passerelle.http.media import TAXII_MEDIA_TYPE, accepts_taxii
from passerelle.policy.viewer import Viewer
from passerelle.settings import Settings
from passerelle.store.database import Database

API_ROOT = "root"


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
    return Call(
        viewer=viewer,
        database=request.app.state.database,
        settings=request.app.state.settings,
        base_url=str(request.base_url),
    )


CallDep = Annotated[Call, Depends(taxii_call)]
