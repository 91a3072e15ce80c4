"""Typed settings of a node, read once from the environment or given by the caller."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_DB_URL = "sqlite:///./passerelle.db"


@dataclass(frozen=True)
class Settings:
    """Everything a node needs to know to run; immutable once built."""

    db_url: str = DEFAULT_DB_URL
    max_content_length: int = 10 * 1024 * 1024
    default_page_size: int = 1000
    max_page_size: int = 10000
    title: str = "Passerelle"
    contact: str = field(default="")

    @classmethod
    def from_env(cls, db_url: str | None = None) -> Settings:
        """Build settings from PASSERELLE_* environment variables, an explicit URL first."""
        env = os.environ
        return cls(
            db_url=db_url or env.get("PASSERELLE_DB") or DEFAULT_DB_URL,
            max_content_length=int(
                env.get("PASSERELLE_MAX_CONTENT_LENGTH", cls.max_content_length)
            ),
            title=env.get("PASSERELLE_TITLE", cls.title),
            contact=env.get("PASSERELLE_CONTACT", ""),
        )
