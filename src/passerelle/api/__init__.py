"""The JSON REST API under ``/api/`` (its OpenAPI schema documents it)."""
