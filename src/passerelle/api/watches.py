"""REST API of the exchange workflow: watches."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api")
