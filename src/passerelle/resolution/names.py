"""Names compared across scripts and spellings: the interface the rest of the node uses.

The engine, in four steps (see docs/benchmarks.md for the measured comparison):

1. romanise by script (:mod:`translit`: own tables for Cyrillic and Arabic, anyascii for
   the rest), then cut into parts with roles (:mod:`parts`): titles and particles out,
   "FAMILY, Given" reordered, patronymics, initials, legal forms, number words;
2. blocking keys (:func:`name_keys`): consonant skeletons of the parts (:mod:`phonetic`),
   pairs of parts for very common names, the name written without spaces, and acronyms
   for organisations; stored in an indexed table, so candidates are looked up, never scanned;
3. scoring (:func:`score`), vectorised over all names of all candidates: one
   ``rapidfuzz.process.cdist`` for the edit distances of every query part against every
   candidate part (and joined neighbours: Goodwill / Good Will), one for the consonant
   skeletons, one Jaro-Winkler over whole skeletons as a tie-breaker; parts are then
   aligned greedily, each query part needing a counterpart (relatives and namesakes do
   not merge: a given name without counterpart lowers the score well below a match);
4. facts: birth dates, nationalities and identifiers raise or lower the score, each
   with its reason.

Every feature of steps 3 and 4 is a small function of :mod:`features`, with its weight in
one table, :data:`passerelle.resolution.scoring.FEATURES`.

Scale: >= 0.90 the same name (spelling, script, order, particles, missing middle name or
patronymic); 0.70-0.90 likely (a surname alone, an initial, a 1-letter slip on a short
name, an acronym); < 0.70 different (a given name, patronymic or legal form differs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from passerelle.resolution import translit
from passerelle.resolution.features import Facts, Unit, units
from passerelle.resolution.parts import Kind, Parsed, acronym_of, parse
from passerelle.resolution.phonetic import fold, skeleton
from passerelle.resolution.scoring import compare, facts_delta, tie_break

_COMMON = frozenset(
    skeleton(fold(w))
    for w in [
        "muhammad",
        "mohammed",
        "mohamed",
        "ahmad",
        "ahmed",
        "ali",
        "abd",
        "abdul",
        "hassan",
        "hasan",
        "hussein",
        "husain",
        "hussain",
        "mahmoud",
        "khan",
        "haji",
        "hajji",
        "abu",
        "omar",
        "umar",
        "ibrahim",
        "ismail",
        "yusuf",
        "yousef",
        "khalid",
        "abdullah",
        "abdallah",
        "rahman",
        "aziz",
        "karim",
        "kim",
        "lee",
        "li",
        "wang",
        "zhang",
        "chen",
        "liu",
        "john",
        "david",
        "michael",
        "ivan",
        "sergey",
        "alexander",
        "vladimir",
        "nikolay",
        "bank",
        "international",
        "group",
        "trading",
        "company",
        "industries",
        "national",
        "general",
        "services",
        "holding",
        "holdings",
        "investment",
        "limited",
        "global",
    ]
)


@dataclass(frozen=True)
class Scored:
    """How well one candidate matches a query, and why."""

    score: float  # 0.0 to 1.0
    best_name: str  # the candidate's name that matched best
    reasons: tuple[str, ...]  # human-readable, e.g. "family name equal after romanisation"


def script_of(name: str) -> str:
    """Return the main script of a name: latin, cyrillic, arabic, other."""
    return translit.script_of(name)


def normalise(name: str, kind: Kind = "person") -> str:
    """Return the comparable form of a name: Latin script, lower case, no diacritics,
    no titles or particles (persons), no legal form or articles (organisations)."""
    parsed = parse(name, kind)
    legal = " ".join(sorted(parsed.legal))
    core = " ".join(p.raw for p in parsed.parts)
    return (core + " " + legal).strip() if kind != "person" else core


def name_keys(name: str, kind: Kind) -> set[str]:
    """Return the blocking keys of a name: candidates share at least one with the query.

    ``s:`` consonant skeleton of a part (common names such as Muhammad excepted),
    ``p:`` two parts together, ``j:`` the whole name without spaces, ``a:`` acronym."""
    parsed = parse(name, kind)
    core = [p for p in parsed.parts if not p.optional and p.role != "initial"]
    keys: set[str] = set()
    skels = []
    for part in core:
        skel = skeleton(part.text) or part.text
        skels.append(skel)
        if skel not in _COMMON and len(part.text) > 1:
            keys.add("s:" + skel)
    for i, first in enumerate(skels):
        for second in skels[i + 1 :]:
            if first != second:
                keys.add("p:" + "+".join(sorted((first, second))))
    if core:
        keys.add("j:" + skeleton(fold("".join(p.raw for p in core))))
    if len(core) >= 3:
        # First and last parts alone: a middle name or an undetected patronymic dropped.
        keys.add("j:" + skeleton(fold(core[0].raw + core[-1].raw)))
    if kind != "person":
        letters = acronym_of(parsed)
        if letters:
            keys.add("a:" + letters)
        if len(core) == 1 and 2 <= len(core[0].text) <= 6:
            keys.add("a:" + core[0].text)
    if not keys:
        keys = {"t:" + p.text for p in parsed.parts}
    return keys


def _expand(name: str) -> list[str]:
    """A name written as alternatives ("Al-Qa'ida/Islamic Army") is each of them too."""
    if "/" not in name:
        return [name]
    pieces = [p.strip() for p in name.split("/")]
    if all(sum(c.isalpha() for c in p) >= 3 for p in pieces):
        return [name, *pieces]
    return [name]


def score(
    query: str,
    query_facts: Facts,
    candidates: Sequence[tuple[Sequence[str], Facts]],
    kind: Kind,
) -> list[Scored]:
    """Score each candidate (its names and facts) against the query, in order."""
    if not candidates:
        return []
    # numpy is imported by the first scoring, not by every command that loads resolution.
    import numpy as np

    queries = [parse(q, kind) for q in _expand(query)]
    q_units_all = [units(q) for q in queries]
    owners: list[tuple[int, str, Parsed, list[Unit]]] = []
    for index, (names, _) in enumerate(candidates):
        for name in names:
            for alternative in _expand(name):
                parsed = parse(alternative, kind)
                owners.append((index, name, parsed, units(parsed)))
    # one vectorised pass: every query part against every part of every candidate name
    texts = sorted({u.text for *_, c_units in owners for u in c_units})
    skels = sorted({u.skel for *_, c_units in owners for u in c_units})
    text_col = {t: i for i, t in enumerate(texts)}
    skel_col = {s: i for i, s in enumerate(skels)}
    flat_q = [u for q_units in q_units_all for u in q_units]
    dist = process.cdist([u.text for u in flat_q], texts, scorer=OSA.distance, dtype=np.int32)
    skel_dist = process.cdist(
        [u.skel for u in flat_q], skels, scorer=Levenshtein.distance, dtype=np.int32
    )
    whole = [skeleton(fold("".join(p.raw for p in parsed.parts))) for _, _, parsed, _ in owners]
    q_whole = [skeleton(fold("".join(p.raw for p in q.parts))) for q in queries]
    jw = process.cdist(q_whole, whole, scorer=JaroWinkler.normalized_similarity)
    best: list[tuple[float, str, list[str]]] = [(-1.0, "", []) for _ in candidates]
    for col, (index, name, parsed, c_units) in enumerate(owners):
        c_text_idx = [text_col[u.text] for u in c_units]
        c_skel_idx = [skel_col[u.skel] for u in c_units]
        offset = 0
        for qn, (q_parsed, q_units) in enumerate(zip(queries, q_units_all, strict=True)):
            rows = range(offset, offset + len(q_units))
            offset += len(q_units)
            sub_dist = dist[np.ix_(rows, c_text_idx)]
            sub_skel = skel_dist[np.ix_(rows, c_skel_idx)]
            value, reasons = compare(q_parsed, q_units, parsed, c_units, sub_dist, sub_skel, kind)
            value = tie_break(value, float(jw[qn, col]))
            if value > best[index][0]:
                best[index] = (value, name, reasons)
    results = []
    for (value, name, reasons), (_names, facts) in zip(best, candidates, strict=True):
        delta, fact_reasons = facts_delta(query_facts, facts)
        final = min(1.0, max(0.0, value + delta)) if value >= 0 else 0.0
        results.append(Scored(round(final, 4), name, (*reasons, *fact_reasons)))
    return results


__all__ = ["Facts", "Kind", "Scored", "name_keys", "normalise", "score", "script_of"]
