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
   not merge: a given name without counterpart multiplies the score by 0.6);
4. facts: birth dates, nationalities and identifiers raise or lower the score, each
   with its reason.

Scale: >= 0.90 the same name (spelling, script, order, particles, missing middle name or
patronymic); 0.70-0.90 likely (a surname alone, an initial, a 1-letter slip on a short
name, an acronym); < 0.70 different (a given name, patronymic or legal form differs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from passerelle.resolution import translit
from passerelle.resolution.legal_forms import legal_family
from passerelle.resolution.parts import PATRONYMIC, Parsed, Part, parse
from passerelle.resolution.phonetic import fold, skeleton

Kind = Literal["person", "organization", "location"]

ONE_PART = 0.75  # a surname alone ("President Erdogan") is for review, not automatic
MATCH = 0.80  # a part pair at least this similar counts as the same name part
_WEIGHT = {"name": 1.0, "number": 1.0, "patronymic": 0.6, "initial": 0.4, "abu": 0.3}
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
class Facts:
    """What else is known about a named thing; each raises or lowers a score."""

    birth_dates: frozenset[str] = frozenset()  # YYYY, YYYY-MM or YYYY-MM-DD
    nationalities: frozenset[str] = frozenset()  # ISO 3166 alpha-2, upper case
    identifiers: frozenset[str] = frozenset()  # passport and other numbers, normalised


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
        letters = _acronym(parsed)
        if letters:
            keys.add("a:" + letters)
        if len(core) == 1 and 2 <= len(core[0].text) <= 6:
            keys.add("a:" + core[0].text)
    if not keys:
        keys = {"t:" + p.text for p in parsed.parts}
    return keys


def _acronym(parsed: Parsed) -> str:
    core = [p for p in parsed.parts if not p.optional and p.role in ("name", "number")]
    return "".join(p.raw[0] for p in core) if len(core) >= 2 else ""


@dataclass(frozen=True)
class _Unit:
    first: int  # index of the first part covered
    size: int  # parts covered (joined neighbours: "good" + "will")
    text: str  # folded
    skel: str
    part: Part


def _units(parsed: Parsed) -> list[_Unit]:
    parts = parsed.parts
    units = [_Unit(i, 1, p.text, skeleton(p.text), p) for i, p in enumerate(parts)]
    for size in (2, 3):
        for i in range(len(parts) - size + 1):
            span = parts[i : i + size]
            if all(p.role == "name" and not p.optional for p in span):
                raw = "".join(p.raw for p in span)
                role = "patronymic" if PATRONYMIC.search(raw) and len(raw) > 6 else "name"
                joined = Part(fold(raw), raw, role)
                units.append(_Unit(i, size, joined.text, skeleton(joined.text), joined))
    return units


_VOWELS = frozenset("aeiouy")
_NEAR = frozenset(
    frozenset(p) for p in ("ck", "kq", "cq", "sz", "vw", "iy", "jy", "ij", "fv", "bp", "dt", "gk")
)


def _edits(a: str, b: str, person: bool) -> int:
    """Edit distance where a swap of two unrelated consonants costs 2 (Missiles/Missives,
    Velayati/Vellabati), and short person names get one indel or vowel change (Ssad/Asad)."""
    cost = 0
    ops = Levenshtein.editops(a, b)
    for op in ops:
        if op.tag == "replace":
            x, y = a[op.src_pos], b[op.dest_pos]
            near = (x in _VOWELS and y in _VOWELS) or frozenset((x, y)) in _NEAR
            cost += 1 if near else 2
        else:
            cost += 1
    longest = max(len(a), len(b))
    allowed = 0 if longest <= 4 else 1 if longest <= 9 else 2
    if person and longest == 4 and cost == 1 and min(len(a), len(b)) >= 3:
        allowed = 1
    return cost if cost <= allowed else 99


def _pair(
    q: _Unit, c: _Unit, dist: int, skel_dist: int, cross: bool, person: bool
) -> tuple[float, str]:
    """Similarity of two name parts (0..1) and how they agree."""
    a, b = q.part, c.part
    if a.role == "initial" or b.role == "initial":
        if a.text == b.text:
            return 1.0, "equal"
        if q.size == 1 and c.size == 1 and a.text[0] == b.text[0]:
            return 0.9, "initial"
        return 0.0, ""
    if a.role == "number" or b.role == "number":
        return (1.0, "equal") if a.text == b.text else (0.0, "")
    if (a.role == "patronymic") != (b.role == "patronymic"):
        return 0.0, ""
    longest = max(len(a.text), len(b.text))
    if a.raw == b.raw:
        return 1.0, "equal"
    if a.text == b.text:
        return 0.97, "same spelling"
    if dist <= 2 and (edits := _edits(a.text, b.text, person)) <= 2:
        return 1.0 - 0.06 * edits, f"{edits} letter apart"
    if cross and q.skel and c.skel:
        ratio = 1.0 - skel_dist / max(len(q.skel), len(c.skel))
        if q.skel == c.skel or (
            q.skel[0] == c.skel[0]
            and (ratio >= 0.66 or (skel_dist <= 1 and min(len(q.skel), len(c.skel)) >= 2))
        ):
            return 0.8 + 0.15 * ratio, "same consonants"
    if longest >= 5 and sorted(a.text) == sorted(b.text):
        return 0.85, "same letters reordered"
    return 0.5 * (1.0 - dist / max(longest, 1)), ""


def _role_label(part: Part, parsed: Parsed, kind: Kind) -> str:
    if part.role == "initial":
        return "initial"
    if part.role == "patronymic":
        return "patronymic"
    if part.role == "number":
        return "number"
    if kind != "person":
        return "name part"
    if parsed.family is None or len(parsed.parts) < 2:
        return "name"
    return "family name" if part.text == parsed.family else "given name"


def _how(method: str, query: Parsed, cand: Parsed, q: _Unit, c: _Unit) -> str:
    if method == "equal" and q.part.raw == c.part.raw:
        if query.script != cand.script:
            scripts = {query.script, cand.script} - {"latin"}
            return f"equal after {'/'.join(sorted(scripts)).capitalize()} romanisation"
        return "equal"
    if method == "initial":
        return f"initial {q.part.raw.upper()} fits {c.part.raw}"
    if method == "same consonants":
        return f"same consonants ({q.part.raw} / {c.part.raw})"
    return f"{method} ({q.part.raw} / {c.part.raw})"


def _compare(
    query: Parsed,
    q_units: list[_Unit],
    cand: Parsed,
    c_units: list[_Unit],
    dist: np.ndarray,
    skel_dist: np.ndarray,
    kind: Kind,
) -> tuple[float, list[str]]:
    """Align the parts of two names; return the name score and reasons."""
    person = kind == "person"
    cross = query.script != cand.script
    reasons: list[str] = []
    q_parts, c_parts = query.parts, cand.parts
    if not q_parts or not c_parts:
        return 0.0, ["no comparable name part"]
    if not person:
        acronym = _org_acronym(query, cand)
        if acronym:
            return acronym
    pairs: list[tuple[float, int, int, int, str]] = []
    best_for_part: dict[int, tuple[float, int]] = {}
    for qi, qu in enumerate(q_units):
        for ci, cu in enumerate(c_units):
            sim, method = _pair(qu, cu, int(dist[qi, ci]), int(skel_dist[qi, ci]), cross, person)
            if qu.size == 1 and cu.size == 1:
                previous = best_for_part.get(qu.first, (-1.0, -1))
                if sim > previous[0]:
                    best_for_part[qu.first] = (sim, ci)
            if sim >= MATCH:
                pairs.append((sim, qi, ci, qu.size + cu.size, method))
    pairs.sort(key=lambda p: (-p[0], p[3]))  # on ties, part by part
    q_used: dict[int, float] = {}
    c_used: set[int] = set()
    for sim, qi, ci, _size, method in pairs:
        qu, cu = q_units[qi], c_units[ci]
        q_span = range(qu.first, qu.first + qu.size)
        c_span = range(cu.first, cu.first + cu.size)
        if any(i in q_used for i in q_span) or any(i in c_used for i in c_span):
            continue
        for i in q_span:
            q_used[i] = sim
        c_used.update(c_span)
        label = _role_label(q_parts[qu.first], query, kind) if qu.size == 1 else "name"
        reasons.append(f"{label} {_how(method, query, cand, qu, cu)}")
    total = matched = 0.0
    factor = 1.0
    c_open = [p for i, p in enumerate(c_parts) if i not in c_used and not p.optional]
    c_open_names = [p for p in c_open if p.role in ("name", "number")]
    for i, part in enumerate(q_parts):
        if part.optional and i not in q_used:
            continue
        weight = _WEIGHT[part.role]
        total += weight
        if i in q_used:
            matched += weight * q_used[i]
            continue
        closest = best_for_part.get(i, (0.0, -1))
        near = c_units[closest[1]].part.raw if closest[1] >= 0 else ""
        label = _role_label(part, query, kind)
        if part.role in ("name", "number"):
            factor *= 0.6
            hint = f" (closest: {near})" if near else ""
            reasons.append(f"{label} {part.raw} has no counterpart{hint}: x0.6")
        elif part.role == "patronymic":
            if any(p.role == "patronymic" for p in c_open):
                factor *= 0.5
                reasons.append(f"patronymics differ ({part.raw} / {near}): x0.5")
            else:
                total -= weight  # patronymic optional
                reasons.append(f"patronymic {part.raw} not on the other side (optional)")
        elif part.role == "initial":
            if c_open_names or any(p.role == "initial" for p in c_open):
                factor *= 0.6
                reasons.append(f"initial {part.raw.upper()} fits no other name part: x0.6")
            else:
                total -= weight
                factor *= 0.97
        else:
            factor *= 0.9
    if total == 0.0:
        return 0.0, ["no comparable name part"]
    base = matched / total
    if person:
        extra = [p for p in c_open if p.role in ("name", "initial")]
        if extra:
            factor *= 0.97 ** min(len(extra), 4)
            reasons.append("other name parts not in the query: " + ", ".join(p.raw for p in extra))
        q_names = sum(1 for p in q_parts if p.role == "name" and not p.optional)
        c_names = sum(1 for p in c_parts if p.role == "name" and not p.optional)
        q_all = sum(1 for p in q_parts if not p.optional)
        c_all = sum(1 for p in c_parts if not p.optional)
        whole = len(q_used) == q_all and len(c_used) == c_all  # Hidayat Allah / Hidayatullah
        if (q_all == 1) != (c_all == 1) and not whole and base * factor > ONE_PART:
            factor = ONE_PART / base
            reasons.append(f"one name part only: at most {ONE_PART}")
        if q_names == 0 and c_names > 0:
            factor = min(factor, 0.5 / max(base, 1e-9))
            reasons.append("initials only: at most 0.5")
    else:
        for part in c_open_names:
            factor *= 0.6
            reasons.append(f"{part.raw} not in the query: x0.6")
        q_forms = {f for f in query.legal if legal_family(f) != "any"}
        c_forms = {f for f in cand.legal if legal_family(f) != "any"}
        if (
            q_forms
            and c_forms
            and not {legal_family(f) for f in q_forms} & {legal_family(f) for f in c_forms}
        ):
            factor *= 0.6
            reasons.append(
                f"legal forms differ ({', '.join(sorted(q_forms))} / "
                f"{', '.join(sorted(c_forms))}): x0.6"
            )
        elif query.legal and cand.legal and query.legal & cand.legal:
            reasons.append("legal form equal: " + ", ".join(sorted(query.legal & cand.legal)))
    return base * factor, reasons


def _org_acronym(query: Parsed, cand: Parsed) -> tuple[float, list[str]] | None:
    for short, long in ((query, cand), (cand, query)):
        core = [p for p in short.parts if not p.optional]
        if len(core) == 1 and 2 <= len(core[0].text) <= 6:
            letters = _acronym(long)
            if letters and letters == core[0].raw:
                return 0.85, [f"acronym {core[0].raw.upper()} of {long.original}"]
    return None


def _facts(query: Facts, cand: Facts) -> tuple[float, list[str]]:
    delta = 0.0
    reasons = []
    if query.birth_dates and cand.birth_dates:
        if any(
            a.startswith(b) or b.startswith(a) for a in query.birth_dates for b in cand.birth_dates
        ):
            delta += 0.05
            reasons.append("birth dates equal: +0.05")
        else:
            delta -= 0.3
            reasons.append("birth dates differ: -0.3")
    if query.nationalities and cand.nationalities:
        if query.nationalities & cand.nationalities:
            delta += 0.03
            reasons.append("nationality equal: +0.03")
        else:
            delta -= 0.1
            reasons.append("nationalities differ: -0.1")
    if query.identifiers & cand.identifiers:
        delta += 0.3
        reasons.append("identifier equal: +0.3")
    return delta, reasons


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
    queries = [parse(q, kind) for q in _expand(query)]
    q_units_all = [_units(q) for q in queries]
    owners: list[tuple[int, str, Parsed, list[_Unit]]] = []
    for index, (names, _) in enumerate(candidates):
        for name in names:
            for alternative in _expand(name):
                parsed = parse(alternative, kind)
                owners.append((index, name, parsed, _units(parsed)))
    # one vectorised pass: every query part against every part of every candidate name
    texts = sorted({u.text for _, _, _, units in owners for u in units})
    skels = sorted({u.skel for _, _, _, units in owners for u in units})
    text_col = {t: i for i, t in enumerate(texts)}
    skel_col = {s: i for i, s in enumerate(skels)}
    flat_q = [u for units in q_units_all for u in units]
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
            value, reasons = _compare(q_parsed, q_units, parsed, c_units, sub_dist, sub_skel, kind)
            value *= 0.94 + 0.06 * float(jw[qn, col])
            if value > best[index][0]:
                best[index] = (value, name, reasons)
    results = []
    for (value, name, reasons), (_names, facts) in zip(best, candidates, strict=True):
        delta, fact_reasons = _facts(query_facts, facts)
        final = min(1.0, max(0.0, value + delta)) if value >= 0 else 0.0
        results.append(Scored(round(final, 4), name, (*reasons, *fact_reasons)))
    return results


__all__ = ["Facts", "Kind", "Scored", "name_keys", "normalise", "score", "script_of"]
