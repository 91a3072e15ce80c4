"""The name score: every feature with its weight in one table, and how they combine.

Two names are compared part by part (:func:`~passerelle.resolution.features.part_similarity`);
pairs at :data:`~passerelle.resolution.features.MATCH` or above
are aligned greedily (most similar first, each part used once). The share of the query's
parts matched, each counted by its role's weight, is the base; each query part left
without counterpart is weighed by the first unmatched-part feature that holds; then the
whole-name features of the kind apply in turn. The score is ``base * factor``, moved a
little by the whole names' skeletons (a tie-breaker), then raised or lowered by facts.
The order of each section is part of the score: a cap applies to what came before it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Generic, TypeVar

from passerelle.resolution.features import (
    MATCH,
    Alignment,
    Facts,
    PartWeights,
    Penalty,
    Tally,
    Unit,
    acronym,
    birth_dates_differ,
    birth_dates_equal,
    identifier_equal,
    initial_alone,
    initial_fits_nothing,
    initials_only,
    legal_forms,
    nationalities_differ,
    nationality_equal,
    no_counterpart,
    one_part_only,
    other_part,
    other_parts_in_candidate,
    part_not_in_query,
    part_similarity,
    patronymic_optional,
    patronymics_differ,
    role_label,
    whole_skeletons,
)
from passerelle.resolution.parts import Kind, Parsed

if TYPE_CHECKING:
    import numpy as np

F = TypeVar("F")


@dataclass(frozen=True)
class Feature(Generic[F]):
    """A named feature of a name comparison (its function) and its weight."""

    func: F
    weight: float


@dataclass(frozen=True)
class Features:
    """The features of the name score, section by section, with their weights."""

    part_weights: Mapping[str, float]
    part_similarity: PartWeights
    unmatched: tuple[Feature[Callable[[Alignment, int, float], Penalty | None]], ...]
    acronym: Feature[Callable[[Parsed, Parsed, float], tuple[float, list[str]] | None]]
    person: tuple[Feature[Callable[[Alignment, Tally, float], None]], ...]
    organization: tuple[Feature[Callable[[Alignment, Tally, float], None]], ...]
    tie_breaker: Feature[Callable[[float, float], float]]
    facts: tuple[Feature[Callable[[Facts, Facts, float], tuple[float, str] | None]], ...]


# The one table.
FEATURES: Final = Features(
    # How much a query part counts in the base, by its role.
    part_weights={"name": 1.0, "number": 1.0, "patronymic": 0.6, "initial": 0.4, "abu": 0.3},
    # How similar two parts are, by the first way they agree that holds.
    part_similarity=PartWeights(
        initial=0.9,
        equal=1.0,
        same_spelling=0.97,
        per_letter=0.06,  # taken off per letter apart
        same_consonants=0.15,  # MATCH plus this times the share of consonants alike
        reordered=0.85,
        different=0.5,  # times the share of letters alike
    ),
    # A query part without counterpart: the first feature that holds (the last always does)
    # multiplies the score by its weight. Relatives and namesakes do not merge.
    unmatched=(
        Feature(no_counterpart, 0.6),
        Feature(patronymics_differ, 0.5),
        Feature(patronymic_optional, 1.0),  # and the part does not count
        Feature(initial_fits_nothing, 0.6),
        Feature(initial_alone, 0.97),  # and the part does not count
        Feature(other_part, 0.9),
    ),
    # Organisations and places: the whole score, before any alignment.
    acronym=Feature(acronym, 0.85),
    # The whole name once aligned, each feature in turn.
    person=(
        Feature(other_parts_in_candidate, 0.97),  # per part, up to MAX_EXTRA_PARTS
        Feature(one_part_only, 0.75),  # at most
        Feature(initials_only, 0.5),  # at most
    ),
    organization=(
        Feature(part_not_in_query, 0.6),  # per part
        Feature(legal_forms, 0.6),
    ),
    # Every name score is moved by up to this share: the whole names' skeletons alike.
    tie_breaker=Feature(whole_skeletons, 0.06),
    # Facts known of both sides, each added to the score in turn.
    facts=(
        Feature(birth_dates_equal, +0.05),
        Feature(birth_dates_differ, -0.3),
        Feature(nationality_equal, +0.03),
        Feature(nationalities_differ, -0.1),
        Feature(identifier_equal, +0.3),
    ),
)

NO_PART: Final = "no comparable name part"


def compare(
    query: Parsed,
    q_units: list[Unit],
    cand: Parsed,
    c_units: list[Unit],
    dist: np.ndarray,
    skel_dist: np.ndarray,
    kind: Kind,
) -> tuple[float, list[str]]:
    """Align the parts of two names; return the name score and its reasons."""
    if not query.parts or not cand.parts:
        return 0.0, [NO_PART]
    if kind != "person":
        found = FEATURES.acronym.func(query, cand, FEATURES.acronym.weight)
        if found:
            return found
    aligned = align(query, q_units, cand, c_units, dist, skel_dist, kind)
    tally = _tally(aligned)
    if tally is None:
        return 0.0, [NO_PART]
    for feature in FEATURES.person if kind == "person" else FEATURES.organization:
        feature.func(aligned, tally, feature.weight)
    return tally.base * tally.factor, tally.reasons


def tie_break(value: float, similarity: float) -> float:
    """Return a name score moved by the similarity of the whole names' skeletons."""
    return value * FEATURES.tie_breaker.func(similarity, FEATURES.tie_breaker.weight)


def facts_delta(query: Facts, cand: Facts) -> tuple[float, list[str]]:
    """Return what the facts known of both sides add to a score, and why."""
    delta = 0.0
    reasons = []
    for feature in FEATURES.facts:
        found = feature.func(query, cand, feature.weight)
        if found is not None:
            delta += found[0]
            reasons.append(found[1])
    return delta, reasons


def align(
    query: Parsed,
    q_units: list[Unit],
    cand: Parsed,
    c_units: list[Unit],
    dist: np.ndarray,
    skel_dist: np.ndarray,
    kind: Kind,
) -> Alignment:
    """Pair the parts of two names: the most similar pairs first, each part used once."""
    person = kind == "person"
    cross = query.script != cand.script
    weights = FEATURES.part_similarity
    pairs: list[tuple[float, int, int, int, str]] = []
    best_for_part: dict[int, tuple[float, int]] = {}
    for qi, qu in enumerate(q_units):
        for ci, cu in enumerate(c_units):
            sim, method = part_similarity(
                qu, cu, int(dist[qi, ci]), int(skel_dist[qi, ci]), cross, person, weights
            )
            if qu.size == 1 and cu.size == 1:
                previous = best_for_part.get(qu.first, (-1.0, -1))
                if sim > previous[0]:
                    best_for_part[qu.first] = (sim, ci)
            if sim >= MATCH:
                pairs.append((sim, qi, ci, qu.size + cu.size, method))
    pairs.sort(key=lambda p: (-p[0], p[3]))  # on ties, part by part
    q_used: dict[int, float] = {}
    c_used: set[int] = set()
    reasons: list[str] = []
    for sim, qi, ci, _size, method in pairs:
        qu, cu = q_units[qi], c_units[ci]
        q_span = range(qu.first, qu.first + qu.size)
        c_span = range(cu.first, cu.first + cu.size)
        if any(i in q_used for i in q_span) or any(i in c_used for i in c_span):
            continue
        for i in q_span:
            q_used[i] = sim
        c_used.update(c_span)
        label = role_label(query.parts[qu.first], query, kind) if qu.size == 1 else "name"
        reasons.append(f"{label} {_how(method, query, cand, qu, cu)}")
    return Alignment(query, cand, kind, c_units, q_used, c_used, best_for_part, reasons)


def _how(method: str, query: Parsed, cand: Parsed, q: Unit, c: Unit) -> str:
    """How two aligned parts agree, as the explanation says it."""
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


def _tally(aligned: Alignment) -> Tally | None:
    """Weigh the query's parts: the matched share as the base, and each unmatched part as
    the first unmatched-part feature that holds says; None when no part counts."""
    total = matched = 0.0
    factor = 1.0
    reasons = aligned.reasons
    for i, part in enumerate(aligned.query.parts):
        if part.optional and i not in aligned.q_used:
            continue
        weight = FEATURES.part_weights[part.role]
        total += weight
        if i in aligned.q_used:
            matched += weight * aligned.q_used[i]
            continue
        penalty = _unmatched(aligned, i)
        if penalty.dropped:
            total -= weight
        factor *= penalty.factor
        if penalty.reason:
            reasons.append(penalty.reason)
    if total == 0.0:
        return None
    return Tally(matched / total, factor, reasons)


def _unmatched(aligned: Alignment, index: int) -> Penalty:
    for feature in FEATURES.unmatched:
        found = feature.func(aligned, index, feature.weight)
        if found is not None:
            return found
    raise AssertionError("the last unmatched-part feature always holds")
