"""What a request declares of itself: its purpose (X-Passerelle-Purpose) reaches the audit
log without control or format characters, cut to 200 characters."""

from __future__ import annotations

from collections.abc import Callable

from passerelle.audit import log as audit
from passerelle.http.auth import declared_purpose
from passerelle.settings import PURPOSE_HEADER
from tests.taxii_client import Taxii
from tests.world import World


def test_a_declared_purpose_loses_control_and_format_characters() -> None:
    # An ANSI escape, NUL, DEL, a tab; a right-to-left override and a zero-width space.
    assert declared_purpose("\u202ecase\u200b 2026-17\x1b[2J\x00\x7f\t") == "case 2026-17[2J"
    assert declared_purpose("case\u2028 2026-17\r\n") == "case 2026-17"


def test_a_declared_purpose_keeps_printable_text_of_any_script() -> None:
    assert declared_purpose("  дело 2026-17, enquête  ") == "дело 2026-17, enquête"


def test_a_declared_purpose_is_cut_to_200_characters_after_cleaning() -> None:
    assert declared_purpose("é" * 300) == "é" * 200
    assert declared_purpose("\x00" * 300 + "case 2026-17") == "case 2026-17"


def test_the_audit_log_keeps_the_cleaned_purpose(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    declared = "case 2026-17\x1b[31m\x00" + "x" * 300
    response = as_user("boris").get("/collections/", None, **{PURPOSE_HEADER: declared})
    assert response.status_code == 200
    with world.database.read() as conn:
        [entry] = [
            e for e in audit.entries(conn, username="boris") if e.action == "read-collections"
        ]
    assert entry.purpose == ("case 2026-17[31m" + "x" * 300)[:200]
