"""REST API of the exchange workflow: tips."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api")
