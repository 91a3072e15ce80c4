"""An in-process TAXII client over the app, speaking as one of the world's users."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.testclient import TestClient
from httpx2 import Response

from passerelle.http.media import TAXII_MEDIA_TYPE

ROOT = "/taxii2/root"


class Taxii:
    """Issue TAXII requests with a user's credentials and the TAXII media type."""

    def __init__(self, client: TestClient, username: str, token: str) -> None:
        self.client = client
        self.auth = (username, token)

    def headers(self, **extra: str) -> dict[str, str]:
        """Return default TAXII headers updated with extra ones."""
        headers = {"Accept": TAXII_MEDIA_TYPE}
        headers.update(extra)
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Response:
        """GET a path under the API root (or absolute if it starts with /taxii2/)."""
        url = path if path.startswith("/taxii2/") else f"{ROOT}{path}"
        return self.client.get(url, params=params, headers=self.headers(**headers), auth=self.auth)

    def post_objects(self, collection: str, objects: list[dict[str, Any]]) -> Response:
        """POST an envelope of objects into a collection."""
        return self.client.post(
            f"{ROOT}/collections/{collection}/objects/",
            content=orjson.dumps({"objects": objects}),
            headers=self.headers(**{"Content-Type": TAXII_MEDIA_TYPE}),
            auth=self.auth,
        )

    def delete(self, path: str, params: dict[str, Any] | None = None) -> Response:
        """DELETE a path under the API root."""
        return self.client.delete(
            f"{ROOT}{path}", params=params, headers=self.headers(), auth=self.auth
        )

    def all_objects(
        self, collection: str, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Follow pagination to the end and return every object."""
        found: list[dict[str, Any]] = []
        query = dict(params or {})
        while True:
            body = self.get(f"/collections/{collection}/objects/", params=query).json()
            found += body.get("objects", [])
            if not body["more"]:
                return found
            query["next"] = body["next"]
