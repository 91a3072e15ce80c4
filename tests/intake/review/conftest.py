"""The draft the review tests share."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.intake.review import ARTICLE
from tests.world import SHIPPED_ALIASES as ALIASES


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    """The draft of ARTICLE, made once for the module (the model loads once)."""
    from passerelle.intake.pipeline import draft_of

    return draft_of(ARTICLE, ALIASES, lang="fr", published=date(2025, 3, 10)).bundle()
