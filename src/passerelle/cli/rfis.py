"""Exchange commands: rfis."""

from __future__ import annotations
