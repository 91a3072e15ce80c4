"""Per-article error listing for the press set (``intake_eval.py --show``).

Beside the scores, what went wrong in one article, in gold's terms: entities missed,
found but not in gold, typed wrong; quotations missed or given the wrong speaker; dates
missed or valued wrong. For finding which errors dominate, not for scoring."""

from __future__ import annotations

import re
from typing import Any

import press_set
from press_set import Found, fold, gold_names


def entity_errors(gold: dict[str, Any], found: Found) -> list[str]:
    """Missed gold entities, found ones matching no gold, and wrong types."""
    keys = [gold_names(e) for e in gold["entities"]]
    taken = [False] * len(keys)
    lines = []
    for names, kind in found.entities:
        folded = {fold(n) for n in names}
        free = [i for i, k in enumerate(keys) if k & folded and not taken[i]]
        if not free:
            lines.append(f"  + {kind} {sorted(names)}")
            continue
        best = next((i for i in free if gold["entities"][i]["type"] == kind), free[0])
        taken[best] = True
        want = gold["entities"][best]["type"]
        if want != kind:
            lines.append(f"  T {gold['entities'][best]['name']}: {kind}, gold {want}")
    for i, entity in enumerate(gold["entities"]):
        if not taken[i]:
            lines.append(f"  - {entity['type']} {entity['name']} {entity['variants']}")
    return lines


def quotation_errors(gold: dict[str, Any], found: Found) -> list[str]:
    """Missed quotations and wrong speakers; found quotations that match no gold."""
    hits = press_set.quotation_hits(gold, found.quotations)
    lines = []
    for quote, (got, right) in zip(gold["quotations"], hits, strict=True):
        begins = quote["begins"]
        if not got:
            lines.append(f"  Q missed «{begins}» ({quote['speaker']})")
        elif right is False:
            said = _speaker_of(begins, found)
            lines.append(f"  S «{begins}»: {said}, gold {quote['speaker']}")
    golds = [fold(q["begins"]) for q in gold["quotations"]]
    for text, names in found.quotations:
        head = fold(text).lstrip(" \"'\u00ab\u201c\u2018-\u2014")
        if not any(head.startswith(b) for b in golds):
            lines.append(f"  q extra «{text[:40]!s}» {sorted(names)}")
    return lines


def _speaker_of(begins: str, found: Found) -> list[str]:
    folded = fold(begins)
    for text, names in found.quotations:
        if fold(text).lstrip(" \"'\u00ab\u201c\u2018-\u2014").startswith(folded):
            return sorted(names)
    return []


def date_errors(gold: dict[str, Any], text: str, found: Found) -> list[str]:
    """Gold dates missed or valued wrong."""
    lines = []
    for item in gold["dates"]:
        spans = [(m.start(), m.end()) for m in re.finditer(re.escape(item["text"]), text)]
        values = [v for s, e, v in found.dates for a, b in spans if s < b and a < e]
        if item["value"] not in values:
            lines.append(f"  D {item['text']!r} = {item['value']}: found {values}")
    return lines


def article_errors(gold: dict[str, Any], text: str, found: Found) -> list[str]:
    """Every error listed for one article, headed by its id."""
    lines = (
        entity_errors(gold, found) + quotation_errors(gold, found) + date_errors(gold, text, found)
    )
    return [f"## {gold['id']}", *lines] if lines else []
