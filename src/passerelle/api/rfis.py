"""REST API of the exchange workflow: rfis."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api")
