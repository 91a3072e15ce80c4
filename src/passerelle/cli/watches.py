"""Exchange commands: watches."""

from __future__ import annotations
