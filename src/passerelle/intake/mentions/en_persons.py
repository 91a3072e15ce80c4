"""English persons and labels across an article: a person named again by part of the
name, one label per name (used by :mod:`passerelle.intake.mentions.en`)."""

from __future__ import annotations

from passerelle.intake.mentions.base import MODEL_WEIGHT, Span
from passerelle.intake.mentions.en_words import PLACES


def persons_by_parts(spans: list[Span]) -> None:
    """A person named again by part of the name is the person named so first.

    "Abdelbaset al-Megrahi" after "Abdelbaset Ali al-Megrahi" (same first and last
    names); a surname alone ("al-Sadr", "Şahin"), or a first name alone ("Khaled"), takes
    the full name introduced before it, the first one introduced when several share it
    (a bare surname names the article's main person of that name).
    """
    introduced: list[str] = []
    for span in sorted(spans, key=lambda s: s.start):
        if span.label != "person":
            continue
        parts = span.canonical.lower().split()
        if len(parts) >= 2:
            fuller = next(
                (
                    n
                    for n in introduced
                    if len(n.split()) > len(parts)
                    and n.lower().split()[0] == parts[0]
                    and n.lower().split()[-1] == parts[-1]
                ),
                None,
            )
            if fuller is not None:
                span.canonical = fuller
            elif span.canonical not in introduced:
                introduced.append(span.canonical)
        elif parts:
            by_surname = [n for n in introduced if n.lower().split()[-1] == parts[0]]
            by_first = [n for n in introduced if n.lower().split()[0] == parts[0]]
            if by_surname or by_first:
                span.canonical = (by_surname or by_first)[0]


def persons_by_surname(spans: list[Span]) -> None:
    """A one-word organisation guess that is the first name or surname of a person named
    is a person."""
    surnames = {
        part
        for s in spans
        if s.label == "person" and " " in s.canonical
        for part in (s.canonical.split()[0], s.canonical.split()[-1])
    }
    for span in spans:
        if (
            span.weight == MODEL_WEIGHT
            and " " not in span.canonical
            and span.canonical in surnames
            and span.canonical not in PLACES  # "Istanbul" of "Istanbul Stock Exchange"
        ):
            span.label = "person"
