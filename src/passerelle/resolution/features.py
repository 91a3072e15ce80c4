"""The features of a name comparison, each a small function of what it looks at.

A feature gets its weight from the one table, :data:`passerelle.resolution.scoring.FEATURES`,
and says nothing when it does not hold (None). By what they look at:

- two name parts: how similar they are, 0 (nothing alike) to 1 (the same part), by
  :func:`part_similarity` with the weights of :class:`PartWeights`;
- a part of the query that the alignment left without counterpart (:class:`Alignment`,
  the part's index): a :class:`Penalty`;
- the whole name once aligned (:class:`Alignment`, :class:`Tally`): each multiplies or caps
  what the tally holds, and says why;
- the two names before any alignment (an organisation's acronym), the whole names'
  consonant skeletons (a tie-breaker), and the :class:`Facts` known of both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

from rapidfuzz.distance import Levenshtein

from passerelle.resolution.legal_forms import legal_family
from passerelle.resolution.parts import PATRONYMIC, Kind, Parsed, Part, acronym_of
from passerelle.resolution.phonetic import fold, skeleton

# A pair of parts at least this similar is the same name part (alignment takes it).
MATCH: Final = 0.80
# A person's candidate name parts not in the query, counted against the score at most.
MAX_EXTRA_PARTS: Final = 4

# How similar two parts are (0 to 1), and the method an explanation names ("" for none).
Similarity = tuple[float, str]
SAME: Final[Similarity] = (1.0, "equal")
NOTHING: Final[Similarity] = (0.0, "")

_VOWELS = frozenset("aeiouy")
_NEAR = frozenset(
    frozenset(p) for p in ("ck", "kq", "cq", "sz", "vw", "iy", "jy", "ij", "fv", "bp", "dt", "gk")
)


@dataclass(frozen=True)
class Facts:
    """What else is known about a named thing; each raises or lowers a score."""

    birth_dates: frozenset[str] = frozenset()  # YYYY, YYYY-MM or YYYY-MM-DD
    nationalities: frozenset[str] = frozenset()  # ISO 3166 alpha-2, upper case
    identifiers: frozenset[str] = frozenset()  # passport and other numbers, normalised


@dataclass(frozen=True)
class Unit:
    """A part of a name as compared: one part, or neighbours joined ("good" + "will")."""

    first: int  # index of the first part covered
    size: int  # parts covered
    text: str  # folded
    skel: str
    part: Part


def units(parsed: Parsed) -> list[Unit]:
    """Return the units of a name: each part, then runs of 2 and 3 name parts joined."""
    parts = parsed.parts
    found = [Unit(i, 1, p.text, skeleton(p.text), p) for i, p in enumerate(parts)]
    for size in (2, 3):
        for i in range(len(parts) - size + 1):
            span = parts[i : i + size]
            if all(p.role == "name" and not p.optional for p in span):
                raw = "".join(p.raw for p in span)
                role = "patronymic" if PATRONYMIC.search(raw) and len(raw) > 6 else "name"
                joined = Part(fold(raw), raw, role)
                found.append(Unit(i, size, joined.text, skeleton(joined.text), joined))
    return found


@dataclass(frozen=True)
class Alignment:
    """Two names with their parts aligned: which query part matched, and how well."""

    query: Parsed
    cand: Parsed
    kind: Kind
    c_units: list[Unit]
    q_used: dict[int, float]  # query part -> similarity of the pair it is in
    c_used: set[int]  # candidate parts in a pair
    best_for_part: dict[int, tuple[float, int]]  # query part -> (best similarity, c_units index)
    reasons: list[str]  # how the pairs agree, most similar first

    @cached_property
    def c_open(self) -> list[Part]:
        """Return the candidate's parts in no pair (its optional parts left out)."""
        return [p for i, p in enumerate(self.cand.parts) if i not in self.c_used and not p.optional]

    @cached_property
    def c_open_names(self) -> list[Part]:
        """Return the names and numbers among :attr:`c_open`."""
        return [p for p in self.c_open if p.role in ("name", "number")]

    def closest(self, index: int) -> str:
        """Return the candidate part closest to a query part ("" when there is none)."""
        _similarity, unit = self.best_for_part.get(index, (0.0, -1))
        return self.c_units[unit].part.raw if unit >= 0 else ""


@dataclass
class Tally:
    """A name score as the whole-name features work on it: ``base * factor``."""

    base: float  # the weighted share of the query's parts matched
    factor: float  # what the features multiplied into it so far
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Penalty:
    """What an unmatched query part does to the score."""

    factor: float  # multiplies the score
    reason: str = ""  # shown in the explanation ("" for none)
    dropped: bool = False  # the part does not count at all (its weight leaves the total)


def role_label(part: Part, parsed: Parsed, kind: Kind) -> str:
    """Return a part's role as explanations name it: family name, given name, initial..."""
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


# -- two parts: how similar they are ------------------------------------------------------


@dataclass(frozen=True)
class PartWeights:
    """The similarity of two name parts by the way they agree, the first that holds in this
    order. Where either part is an initial or a number, only equal parts (1.0) and an
    initial that begins the other part are alike; a patronymic and a part that is none are
    never alike (0.0)."""

    initial: float  # an initial and a part it begins
    equal: float  # the same part once romanised
    same_spelling: float  # the same part once folded (accents, doubled letters)
    per_letter: float  # taken off per letter, for one or two letters apart
    same_consonants: float  # across scripts: MATCH plus this times the share of consonants
    reordered: float  # the same letters in another order, in parts of five or more
    different: float  # any other two parts: this times their share of letters alike


def part_similarity(
    q: Unit, c: Unit, dist: int, skel_dist: int, cross: bool, person: bool, weights: PartWeights
) -> Similarity:
    """Return how similar two parts are (0 to 1), and the method an explanation names.

    ``dist`` is the optimal-string-alignment distance of the folded texts, ``skel_dist``
    the Levenshtein distance of the consonant skeletons, ``cross`` whether the two names
    are written in different scripts. One function rather than a feature per way parts
    agree: it runs for every pair of parts of every candidate name, and a call per way
    made the whole comparison 1.6 times slower.
    """
    a, b = q.part, c.part
    if a.role == "initial" or b.role == "initial":
        if a.text == b.text:
            return SAME
        if q.size == 1 and c.size == 1 and a.text[0] == b.text[0]:
            return weights.initial, "initial"
        return NOTHING
    if a.role == "number" or b.role == "number":
        return SAME if a.text == b.text else NOTHING
    if (a.role == "patronymic") != (b.role == "patronymic"):
        return NOTHING
    longest = max(len(a.text), len(b.text))
    if a.raw == b.raw:
        return weights.equal, "equal"
    if a.text == b.text:
        return weights.same_spelling, "same spelling"
    if dist <= 2 and (edits := edit_cost(a.text, b.text, person)) <= 2:
        return 1.0 - weights.per_letter * edits, f"{edits} letter apart"
    if cross and (ratio := _consonants_alike(q, c, skel_dist)) is not None:
        return MATCH + weights.same_consonants * ratio, "same consonants"
    if longest >= 5 and sorted(a.text) == sorted(b.text):
        return weights.reordered, "same letters reordered"
    return weights.different * (1.0 - dist / max(longest, 1)), ""


def _consonants_alike(q: Unit, c: Unit, skel_dist: int) -> float | None:
    """The share of consonants alike when the skeletons are the same, or close enough and
    start with the same consonant; None otherwise."""
    if not (q.skel and c.skel):
        return None
    ratio = 1.0 - skel_dist / max(len(q.skel), len(c.skel))
    if q.skel == c.skel or (
        q.skel[0] == c.skel[0]
        and (ratio >= 0.66 or (skel_dist <= 1 and min(len(q.skel), len(c.skel)) >= 2))
    ):
        return ratio
    return None


def edit_cost(a: str, b: str, person: bool) -> int:
    """Return the edit distance where a swap of two unrelated consonants costs 2
    (Missiles/Missives, Velayati/Vellabati), and short person names get one indel or
    vowel change (Ssad/Asad); 99 beyond what a name of that length allows."""
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


# -- a query part without counterpart: the first feature that holds weighs it -------------


def no_counterpart(aligned: Alignment, index: int, weight: float) -> Penalty | None:
    """Weigh a name or number of the query that nothing in the candidate matches."""
    part = aligned.query.parts[index]
    if part.role not in ("name", "number"):
        return None
    label = role_label(part, aligned.query, aligned.kind)
    near = aligned.closest(index)
    hint = f" (closest: {near})" if near else ""
    return Penalty(weight, f"{label} {part.raw} has no counterpart{hint}: x{weight}")


def patronymics_differ(aligned: Alignment, index: int, weight: float) -> Penalty | None:
    """Weigh a patronymic of the query against another patronymic of the candidate."""
    part = aligned.query.parts[index]
    if part.role != "patronymic" or not any(p.role == "patronymic" for p in aligned.c_open):
        return None
    near = aligned.closest(index)
    return Penalty(weight, f"patronymics differ ({part.raw} / {near}): x{weight}")


def patronymic_optional(aligned: Alignment, index: int, weight: float) -> Penalty | None:
    """Leave out a patronymic of the query where the candidate has none."""
    part = aligned.query.parts[index]
    if part.role != "patronymic":
        return None
    reason = f"patronymic {part.raw} not on the other side (optional)"
    return Penalty(weight, reason, dropped=True)


def initial_fits_nothing(aligned: Alignment, index: int, weight: float) -> Penalty | None:
    """Weigh an initial of the query that fits none of the candidate's other name parts."""
    part = aligned.query.parts[index]
    if part.role != "initial" or not (
        aligned.c_open_names or any(p.role == "initial" for p in aligned.c_open)
    ):
        return None
    return Penalty(weight, f"initial {part.raw.upper()} fits no other name part: x{weight}")


def initial_alone(aligned: Alignment, index: int, weight: float) -> Penalty | None:
    """Leave out an initial of the query where the candidate has nothing left, lowering
    the score a little."""
    if aligned.query.parts[index].role != "initial":
        return None
    return Penalty(weight, dropped=True)


def other_part(aligned: Alignment, index: int, weight: float) -> Penalty:
    """Weigh any other part of the query (``abu``) without counterpart."""
    del aligned, index
    return Penalty(weight)


# -- the whole name, once aligned: each feature in turn ----------------------------------


def other_parts_in_candidate(aligned: Alignment, tally: Tally, weight: float) -> None:
    """Multiply a person's score by the weight for each name or initial of the candidate
    not in the query (up to :data:`MAX_EXTRA_PARTS`)."""
    extra = [p for p in aligned.c_open if p.role in ("name", "initial")]
    if extra:
        tally.factor *= weight ** min(len(extra), MAX_EXTRA_PARTS)
        tally.reasons.append(
            "other name parts not in the query: " + ", ".join(p.raw for p in extra)
        )


def one_part_only(aligned: Alignment, tally: Tally, weight: float) -> None:
    """Cap at the weight a person named by one part on one side only (a surname alone,
    "President Erdogan"): for review rather than an automatic link."""
    q_all = sum(1 for p in aligned.query.parts if not p.optional)
    c_all = sum(1 for p in aligned.cand.parts if not p.optional)
    # One part against a joined name is no single part: Hidayat Allah / Hidayatullah.
    whole = len(aligned.q_used) == q_all and len(aligned.c_used) == c_all
    if (q_all == 1) != (c_all == 1) and not whole and tally.base * tally.factor > weight:
        tally.factor = weight / tally.base
        tally.reasons.append(f"one name part only: at most {weight}")


def initials_only(aligned: Alignment, tally: Tally, weight: float) -> None:
    """Cap at the weight a person named by initials alone, against a candidate with
    names."""
    q_names = sum(1 for p in aligned.query.parts if p.role == "name" and not p.optional)
    c_names = sum(1 for p in aligned.cand.parts if p.role == "name" and not p.optional)
    if q_names == 0 and c_names > 0:
        tally.factor = min(tally.factor, weight / max(tally.base, 1e-9))
        tally.reasons.append(f"initials only: at most {weight}")


def part_not_in_query(aligned: Alignment, tally: Tally, weight: float) -> None:
    """Multiply an organisation's or place's score by the weight for each name or number of
    the candidate not in the query."""
    for part in aligned.c_open_names:
        tally.factor *= weight
        tally.reasons.append(f"{part.raw} not in the query: x{weight}")


def legal_forms(aligned: Alignment, tally: Tally, weight: float) -> None:
    """Multiply an organisation's score by the weight when its legal forms are of
    incompatible families (a GmbH is no AG); say so when a legal form is equal."""
    query, cand = aligned.query, aligned.cand
    q_forms = {f for f in query.legal if legal_family(f) != "any"}
    c_forms = {f for f in cand.legal if legal_family(f) != "any"}
    if (
        q_forms
        and c_forms
        and not {legal_family(f) for f in q_forms} & {legal_family(f) for f in c_forms}
    ):
        tally.factor *= weight
        tally.reasons.append(
            f"legal forms differ ({', '.join(sorted(q_forms))} / "
            f"{', '.join(sorted(c_forms))}): x{weight}"
        )
    elif query.legal and cand.legal and query.legal & cand.legal:
        tally.reasons.append("legal form equal: " + ", ".join(sorted(query.legal & cand.legal)))


# -- before alignment, after it, and beside it --------------------------------------------


def acronym(query: Parsed, cand: Parsed, weight: float) -> tuple[float, list[str]] | None:
    """Score at the weight an organisation written as the acronym of the other's name,
    whatever the parts say."""
    for short, long in ((query, cand), (cand, query)):
        core = [p for p in short.parts if not p.optional]
        if len(core) == 1 and 2 <= len(core[0].text) <= 6:
            letters = acronym_of(long)
            if letters and letters == core[0].raw:
                return weight, [f"acronym {core[0].raw.upper()} of {long.original}"]
    return None


def whole_skeletons(similarity: float, weight: float) -> float:
    """Return the factor a tie-breaker gives: the Jaro-Winkler similarity of the whole
    names' consonant skeletons moves the score by up to the weight."""
    return (1.0 - weight) + weight * similarity


def birth_dates_equal(query: Facts, cand: Facts, weight: float) -> tuple[float, str] | None:
    """Add the weight when a birth date of one side agrees with one of the other (a year
    with a full date)."""
    if query.birth_dates and cand.birth_dates and _birth_dates_agree(query, cand):
        return weight, f"birth dates equal: {weight:+}"
    return None


def birth_dates_differ(query: Facts, cand: Facts, weight: float) -> tuple[float, str] | None:
    """Add the weight when both sides have birth dates and none agree."""
    if query.birth_dates and cand.birth_dates and not _birth_dates_agree(query, cand):
        return weight, f"birth dates differ: {weight:+}"
    return None


def _birth_dates_agree(query: Facts, cand: Facts) -> bool:
    return any(
        a.startswith(b) or b.startswith(a) for a in query.birth_dates for b in cand.birth_dates
    )


def nationality_equal(query: Facts, cand: Facts, weight: float) -> tuple[float, str] | None:
    """Add the weight when both sides share a nationality."""
    if query.nationalities & cand.nationalities:
        return weight, f"nationality equal: {weight:+}"
    return None


def nationalities_differ(query: Facts, cand: Facts, weight: float) -> tuple[float, str] | None:
    """Add the weight when both sides have nationalities and share none."""
    if query.nationalities and cand.nationalities and not query.nationalities & cand.nationalities:
        return weight, f"nationalities differ: {weight:+}"
    return None


def identifier_equal(query: Facts, cand: Facts, weight: float) -> tuple[float, str] | None:
    """Add the weight when both sides share an identifier (a passport number...)."""
    if query.identifiers & cand.identifiers:
        return weight, f"identifier equal: {weight:+}"
    return None
