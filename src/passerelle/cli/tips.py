"""Exchange commands: tips."""

from __future__ import annotations
