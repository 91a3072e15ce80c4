"""Exchange commands: partners."""

from __future__ import annotations
