"""The OpenAPI document declares how to authenticate (so /docs has an Authorize button):
every route that needs credentials says bearer or basic; the health routes say nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_every_authenticated_route_declares_its_schemes(app_client: TestClient) -> None:
    document = app_client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Your API token (psl_...)",
    }
    assert schemes["basic"]["scheme"] == "basic"
    declared = {
        (path, method): operation.get("security")
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    for (path, method), security in declared.items():
        if path in ("/healthz", "/readyz"):
            assert security is None, path
        else:
            assert security == [{"bearer": []}, {"basic": []}], (path, method)
    assert ("/api/admin/users", "post") in declared
    assert ("/api/federation/withheld", "get") in declared
    # The declared schemes change nothing of the answer without credentials.
    refused = app_client.get("/api/tips/inbox")
    assert refused.status_code == 401
    assert app_client.get("/docs").status_code == 200
