"""Typed settings of a node, read once from the environment or given by the caller."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from passerelle.durations import DAY, HOUR, parse_duration

DEFAULT_DB_URL = "sqlite:///./passerelle.db"


@dataclass(frozen=True)
class ExchangeSettings:
    """Default deadlines of the exchange workflow, in microseconds."""

    ack_within: int = 24 * HOUR
    outcome_within: int = 14 * DAY
    rfi_urgent_within: int = 8 * HOUR
    rfi_normal_within: int = 7 * DAY
    watch_warning: int = 7 * DAY
    # Region of phone numbers written without an international prefix (ISO 3166 code).
    phone_region: str = "FR"

    @classmethod
    def from_env(cls) -> ExchangeSettings:
        """Read the PASSERELLE_* deadline variables and PASSERELLE_PHONE_REGION."""
        env = os.environ

        def duration(name: str, default: int) -> int:
            text = env.get(name)
            return parse_duration(text) if text else default

        return cls(
            ack_within=duration("PASSERELLE_ACK_WITHIN", cls.ack_within),
            outcome_within=duration("PASSERELLE_OUTCOME_WITHIN", cls.outcome_within),
            rfi_urgent_within=duration("PASSERELLE_RFI_URGENT_WITHIN", cls.rfi_urgent_within),
            rfi_normal_within=duration("PASSERELLE_RFI_NORMAL_WITHIN", cls.rfi_normal_within),
            phone_region=env.get("PASSERELLE_PHONE_REGION", cls.phone_region).upper(),
        )


@dataclass(frozen=True)
class Settings:
    """Everything a node needs to know to run; immutable once built."""

    db_url: str = DEFAULT_DB_URL
    max_content_length: int = 10 * 1024 * 1024
    default_page_size: int = 1000
    max_page_size: int = 10000
    title: str = "Passerelle"
    contact: str = field(default="")
    exchange: ExchangeSettings = field(default_factory=ExchangeSettings)

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
            exchange=ExchangeSettings.from_env(),
        )
