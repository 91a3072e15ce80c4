"""Choices and bounds of requests that the command line checks before it sends them (the
node checks them too), known without importing the feature that defines them: a command
with ``--url`` then starts without SQLAlchemy, pydantic or numpy. Where each operation is
reached (method and path) is in :mod:`passerelle.core.catalogue`.

``tests/cli/test_startup.py`` checks that these equal the features' own.
"""

from __future__ import annotations

OUTCOMES = ("actioned", "corroborated", "refuted", "no_link_found", "no_longer_relevant")
CORRELATION_LIMIT = 200
CORRELATION_DEFAULT_LIMIT = 20
RESOLVE_MAX_RESULTS = 50
