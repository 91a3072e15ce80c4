"""Quotations and their speakers, one test module per language (as in
``passerelle.intake.quotes``)."""

from __future__ import annotations

from passerelle.intake.quotes import Quotation


def said_by(text: str, q: Quotation) -> str:
    """Return the speaker expression of a quotation, as written in the text."""
    assert q.speaker_start is not None
    assert q.speaker_end is not None
    return text[q.speaker_start : q.speaker_end]
