"""The public press evaluation set (eval/press): loading, checking and scoring.

No model is loaded here: :mod:`intake_eval` runs intake and hands its findings to the
scoring functions below, and the tests check every committed file with :func:`check_schema`.

One article's file is ``eval/press/{lang}/{id}.json`` (a blind second pass:
``eval/press/second/{lang}/{id}.json``); its text is kept outside the repository, under
the data directory (``{data}/{text.file}``), and checked by its sha256.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

LANGUAGES: Final = ("fr", "en", "ru")
KEYS: Final = (
    "id",
    "language",
    "title",
    "published",
    "source",
    "text",
    "annotator",
    "entities",
    "quotations",
    "dates",
    "facts",
    "notes",
)
OPTIONAL: Final = frozenset({"facts", "notes"})
SOURCE_KEYS: Final = ("corpus", "repository", "commit", "path", "url", "licence")
TEXT_KEYS: Final = ("file", "sha256", "characters")
ENTITY_TYPES: Final = ("person", "organization", "group", "location", "platform")
SPEAKER_KINDS: Final = ("person", "organization", "group")
FACT_KINDS: Final = ("arrest", "charge", "conviction", "attack", "seizure")
FACT_KEYS: Final = ("kind", "subject", "object", "place", "date")
_ID: Final = re.compile(r"^(fr|en|ru)-[0-9a-z][0-9a-z_-]*$")
_VALUE: Final = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_HEX40: Final = re.compile(r"^[0-9a-f]{40}$")
_HEX64: Final = re.compile(r"^[0-9a-f]{64}$")
_SPACES: Final = " \u00a0\u202f"
_OPENING: Final = "\u00ab\u201c\u2018\"'"
_CLOSING: Final = "\u00bb\u201d\u2019\"'"


# Folding --------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Return the text case- and accent-folded, apostrophes, dashes and spaces unified."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = re.sub("[\u2019\u2018\u02bc\u00b4`]", "'", bare)
    bare = re.sub(r"[\u2010-\u2015\u2212]", "-", bare)
    return " ".join(bare.casefold().split())


def valid_value(value: str) -> bool:
    """Whether a date value is an ISO year, month or day that exists."""
    if not _VALUE.match(value):
        return False
    parts = [int(p) for p in value.split("-")]
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        return False
    if len(parts) == 3:
        try:
            date(*parts)
        except ValueError:
            return False
    return True


# Checking ---------------------------------------------------------------------------------


def check_schema(gold: Any, where: Path | None = None) -> list[str]:
    """Return what is wrong with one article's JSON, without its text (empty: fine).

    ``where`` (the file's path) adds the checks of its place: ``{lang}/{id}.json``."""
    if not isinstance(gold, dict):
        return ["not a JSON object"]
    errors = _check_keys(gold)
    if errors:
        return errors
    errors += _check_head(gold, where)
    errors += _check_entities(gold["entities"])
    names = {e.get("name"): e.get("type") for e in gold["entities"] if isinstance(e, dict)}
    errors += _check_quotations(gold["quotations"], names)
    errors += _check_dates(gold["dates"])
    errors += _check_facts(gold.get("facts", []), names)
    if not isinstance(gold.get("notes", ""), str):
        errors.append("notes is not a string")
    return errors


def _check_keys(gold: dict[str, Any]) -> list[str]:
    keys = list(gold)
    unknown = [k for k in keys if k not in KEYS]
    if unknown:
        return [f"unknown keys: {', '.join(unknown)}"]
    missing = [k for k in KEYS if k not in gold and k not in OPTIONAL]
    if missing:
        return [f"missing keys: {', '.join(missing)}"]
    if keys != [k for k in KEYS if k in gold]:
        return [f"keys out of order: {', '.join(keys)} (the order is {', '.join(KEYS)})"]
    return []


def _check_head(gold: dict[str, Any], where: Path | None) -> list[str]:
    errors = []
    if not isinstance(gold["id"], str) or not _ID.match(gold["id"]):
        errors.append(f"id {gold['id']!r} is not lang-lowercase-slug")
    if gold["language"] not in LANGUAGES:
        errors.append(f"language {gold['language']!r} is not one of {', '.join(LANGUAGES)}")
    elif isinstance(gold["id"], str) and not gold["id"].startswith(gold["language"] + "-"):
        errors.append("id does not start with the language")
    if not isinstance(gold["title"], str) or not gold["title"].strip():
        errors.append("title is empty")
    if not isinstance(gold["published"], str) or len(gold["published"]) != 10:
        errors.append("published is not YYYY-MM-DD")
    elif not valid_value(gold["published"]):
        errors.append(f"published {gold['published']} is not a date")
    if not isinstance(gold["annotator"], str) or not gold["annotator"]:
        errors.append("annotator is empty")
    errors += _check_record("source", gold["source"], SOURCE_KEYS)
    errors += _check_record("text", gold["text"], TEXT_KEYS)
    if not errors:
        errors += _check_source_and_text(gold)
    if (
        where is not None
        and not errors
        and (where.stem != gold["id"] or where.parent.name != gold["language"])
    ):
        errors.append(f"the file should be {gold['language']}/{gold['id']}.json")
    return errors


def _check_record(label: str, record: Any, keys: Sequence[str]) -> list[str]:
    if not isinstance(record, dict) or list(record) != list(keys):
        return [f"{label} must have exactly the keys {', '.join(keys)}, in that order"]
    return []


def _check_source_and_text(gold: dict[str, Any]) -> list[str]:
    errors = []
    source, text = gold["source"], gold["text"]
    if not all(isinstance(source[k], str) and source[k] for k in SOURCE_KEYS):
        errors.append("a source field is empty")
    elif not _HEX40.match(source["commit"]):
        errors.append("source.commit is not 40 hex digits")
    if not isinstance(text["file"], str) or not text["file"].startswith(gold["language"] + "/"):
        errors.append(f"text.file must be {gold['language']}/<file>")
    if not isinstance(text["sha256"], str) or not _HEX64.match(text["sha256"]):
        errors.append("text.sha256 is not 64 hex digits")
    if not isinstance(text["characters"], int) or text["characters"] <= 0:
        errors.append("text.characters is not a positive integer")
    return errors


def _check_entities(entities: Any) -> list[str]:
    if not isinstance(entities, list):
        return ["entities is not a list"]
    errors, seen = [], set()
    for n, entity in enumerate(entities):
        keys = list(entity) if isinstance(entity, dict) else []
        if keys not in (["name", "type", "variants"], ["name", "type", "variants", "roles"]):
            errors.append(f"entity {n}: keys must be name, type, variants[, roles]")
            continue
        name = entity["name"]
        if not isinstance(name, str) or not name or name in seen:
            errors.append(f"entity {n}: name {name!r} empty or given twice")
        seen.add(name)
        if entity["type"] not in ENTITY_TYPES:
            errors.append(f"entity {name}: type {entity['type']!r} is not an entity type")
        variants = entity["variants"]
        if not _strings(variants) or not variants:
            errors.append(f"entity {name}: variants must be a non-empty list of strings")
        if "roles" in entity and not _strings(entity["roles"]):
            errors.append(f"entity {name}: roles must be a list of strings")
    return errors


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _check_quotations(quotations: Any, names: dict[Any, Any]) -> list[str]:
    if not isinstance(quotations, list):
        return ["quotations is not a list"]
    errors = []
    for n, quote in enumerate(quotations):
        if not isinstance(quote, dict) or list(quote) != ["begins", "speaker", "speaker_kind"]:
            errors.append(f"quotation {n}: keys must be begins, speaker, speaker_kind")
            continue
        begins, speaker, kind = quote["begins"], quote["speaker"], quote["speaker_kind"]
        if not isinstance(begins, str) or not begins.strip():
            errors.append(f"quotation {n}: begins is empty")
        if speaker is None:
            if kind is not None:
                errors.append(f"quotation {n}: speaker_kind without a speaker")
        elif speaker not in names:
            errors.append(f"quotation {n}: speaker {speaker!r} is not an entity name")
        elif kind not in SPEAKER_KINDS:
            errors.append(f"quotation {n}: speaker_kind {kind!r} is not one of {SPEAKER_KINDS}")
        elif names[speaker] in SPEAKER_KINDS and names[speaker] != kind:
            errors.append(f"quotation {n}: speaker_kind {kind} but {speaker} is {names[speaker]}")
    return errors


def _check_dates(dates: Any) -> list[str]:
    if not isinstance(dates, list):
        return ["dates is not a list"]
    errors = []
    for n, item in enumerate(dates):
        if not isinstance(item, dict) or list(item) != ["text", "value"]:
            errors.append(f"date {n}: keys must be text, value")
        elif not isinstance(item["text"], str) or not item["text"]:
            errors.append(f"date {n}: text is empty")
        elif not isinstance(item["value"], str) or not valid_value(item["value"]):
            errors.append(f"date {item['text']!r}: value {item['value']!r} is not ISO")
    return errors


def _check_facts(facts: Any, names: dict[Any, Any]) -> list[str]:
    if not isinstance(facts, list):
        return ["facts is not a list"]
    errors = []
    for n, fact in enumerate(facts):
        if not isinstance(fact, dict) or fact.get("kind") not in FACT_KINDS:
            errors.append(f"fact {n}: kind must be one of {', '.join(FACT_KINDS)}")
            continue
        if [k for k in fact if k not in FACT_KEYS]:
            errors.append(f"fact {n}: keys may only be {', '.join(FACT_KEYS)}")
        for side in ("subject", "object", "place"):
            value = fact.get(side)
            if value is not None and value not in names:
                errors.append(f"fact {n}: {side} {value!r} is not an entity name")
        when = fact.get("date")
        if when is not None and (not isinstance(when, str) or not valid_value(when)):
            errors.append(f"fact {n}: date {when!r} is not ISO")
    return errors


def check_text(gold: dict[str, Any], raw: bytes) -> list[str]:
    """Return what in the article's JSON does not agree with its text's bytes."""
    errors = []
    if hashlib.sha256(raw).hexdigest() != gold["text"]["sha256"]:
        return [f"{gold['text']['file']}: sha256 differs from the JSON's"]
    text = raw.decode("utf-8")
    if len(text) != gold["text"]["characters"]:
        errors.append(
            f"characters: the text has {len(text)}, the JSON says {gold['text']['characters']}"
        )
    if text.split("\n", 1)[0].strip() != gold["title"]:
        errors.append("title is not the text's first line")
    for entity in gold["entities"]:
        errors += [f"variant {v!r} is not in the text" for v in entity["variants"] if v not in text]
    errors += [
        f"quotation {q['begins']!r} is not in the text"
        for q in gold["quotations"]
        if q["begins"] not in text
    ]
    errors += [
        f"date text {d['text']!r} is not in the text"
        for d in gold["dates"]
        if d["text"] not in text
    ]
    return errors


# Loading --------------------------------------------------------------------------------


@dataclass
class GoldFile:
    """One article's annotation, where it was read from, and its problems."""

    path: Path
    gold: dict[str, Any]
    errors: list[str] = field(default_factory=list)


def gold_files(root: Path, second: bool = False) -> list[GoldFile]:
    """Read every first-pass (or second-pass) JSON file under eval/press, checked."""
    base = root / "second" if second else root
    found = []
    for lang in LANGUAGES:
        for path in sorted((base / lang).glob("*.json")):
            try:
                gold = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                found.append(GoldFile(path, {}, [f"unreadable: {error}"]))
                continue
            found.append(GoldFile(path, gold, check_schema(gold, path)))
    return found


def read_text(gold: dict[str, Any], data: Path) -> tuple[str | None, list[str]]:
    """Return the article's text (None when missing or not matching) and its problems."""
    path = data / gold["text"]["file"]
    try:
        raw = path.read_bytes()
    except OSError:
        return None, [f"text missing: {path}"]
    errors = check_text(gold, raw)
    if errors and "sha256" in errors[0]:
        return None, errors
    return raw.decode("utf-8"), errors


# Scoring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """What a system (or a second annotator) found in one article, in gold's terms."""

    entities: list[tuple[frozenset[str], str]]  # (names, type)
    quotations: list[tuple[str, frozenset[str]]]  # (text from its start, speaker names)
    dates: list[tuple[int, int, str]]  # (start, end, value)


@dataclass
class Counts:
    """Counts summed over articles: entities untyped and typed, quotations, dates."""

    found: int = 0
    gold: int = 0
    matched: int = 0
    typed: int = 0
    quotes: int = 0
    quotes_found: int = 0
    long_quotes: int = 0
    long_quotes_found: int = 0
    speakers: int = 0
    speakers_right: int = 0
    dates: int = 0
    dates_overlap: int = 0
    dates_right: int = 0

    def add(self, other: Counts) -> None:
        """Add another article's counts to these."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def prf(tp: int, found: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0 where undefined)."""
    p = tp / found if found else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def gold_names(entity: dict[str, Any]) -> frozenset[str]:
    """The folded names of a gold entity: its name and every variant."""
    return frozenset(fold(n) for n in [entity["name"], *entity["variants"]])


def match_entities(
    gold: Sequence[dict[str, Any]], found: Iterable[tuple[frozenset[str], str]]
) -> tuple[int, int, int]:
    """Return (found count, matched, matched with the right type) for one article.

    A found entity matches the first not yet matched gold entity one of whose names
    equals one of its own (folded); matching only gold already matched, it is a duplicate
    and counts as found but not matched."""
    keys = [gold_names(e) for e in gold]
    taken = [False] * len(gold)
    count = matched = typed = 0
    for names, kind in found:
        count += 1
        folded = {fold(n) for n in names}
        hits = [i for i, k in enumerate(keys) if k & folded]
        free = [i for i in hits if not taken[i]]
        if not free:
            continue
        best = next((i for i in free if gold[i]["type"] == kind), free[0])
        taken[best] = True
        matched += 1
        typed += gold[best]["type"] == kind
    return count, matched, typed


def quotation_hits(
    gold: dict[str, Any], found: Sequence[tuple[str, frozenset[str]]]
) -> list[tuple[bool, bool | None]]:
    """Per gold quotation: whether it was found, and whether its speaker is right (None
    when the gold names no speaker). A found quotation serves one gold quotation."""
    speakers = {e["name"]: gold_names(e) for e in gold["entities"]}
    used = [False] * len(found)
    hits: list[tuple[bool, bool | None]] = []
    for quote in gold["quotations"]:
        begins = fold(quote["begins"])
        hit = next(
            (i for i, (text, _s) in enumerate(found) if not used[i] and _starts(text, begins)),
            None,
        )
        if hit is not None:
            used[hit] = True
        right = None
        if quote["speaker"] is not None:
            said = {fold(s) for s in found[hit][1]} if hit is not None else set()
            right = bool(said & speakers[quote["speaker"]])
        hits.append((hit is not None, right))
    return hits


def match_quotations(
    gold: dict[str, Any], found: Sequence[tuple[str, frozenset[str]]]
) -> tuple[int, int, int, int]:
    """Return (gold quotations, found, with a speaker, speaker right) for one article."""
    hits = quotation_hits(gold, found)
    named = [right for _got, right in hits if right is not None]
    return len(hits), sum(got for got, _r in hits), len(named), sum(named)


def short_quotation(text: str, begins: str) -> bool:
    """Whether a quotation is a short passage: 1-3 words, its marks right around them."""
    if len(begins.split()) > 3:
        return False
    for match in re.finditer(re.escape(begins), text):
        before = text[: match.start()].rstrip(_SPACES)[-1:]
        after = text[match.end() :].lstrip(_SPACES)[:1]
        if before and after and before in _OPENING and after in _CLOSING:
            return True
    return False


def _starts(text: str, begins: str) -> bool:
    return fold(text).lstrip(" \"'\u00ab\u201c\u2018-\u2014").startswith(begins)


def match_dates(
    text: str, gold: Sequence[dict[str, str]], found: Sequence[tuple[int, int, str]]
) -> tuple[int, int, int]:
    """Return (gold dates, found overlapping one, found overlapping with the same value).

    A gold date's text may occur several times: the k-th gold entry with a given text is
    its k-th occurrence in the text."""
    used = [False] * len(found)
    seen: dict[str, int] = {}
    overlap = right = 0
    for item in gold:
        k = seen[item["text"]] = seen.get(item["text"], -1) + 1
        starts = [m.start() for m in re.finditer(re.escape(item["text"]), text)]
        if not starts:
            continue
        start = starts[min(k, len(starts) - 1)]
        end = start + len(item["text"])
        hits = [i for i, (s, e, _v) in enumerate(found) if not used[i] and s < end and start < e]
        if not hits:
            continue
        best = next((i for i in hits if found[i][2] == item["value"]), hits[0])
        used[best] = True
        overlap += 1
        right += found[best][2] == item["value"]
    return len(gold), overlap, right


def score_article(gold: dict[str, Any], text: str, found: Found) -> Counts:
    """Score what was found in one article against its gold."""
    counts = Counts()
    counts.found, counts.matched, counts.typed = match_entities(gold["entities"], found.entities)
    counts.gold = len(gold["entities"])
    quotes = match_quotations(gold, found.quotations)
    counts.quotes, counts.quotes_found, counts.speakers, counts.speakers_right = quotes
    hits = quotation_hits(gold, found.quotations)
    for quote, (got, _right) in zip(gold["quotations"], hits, strict=True):
        if not short_quotation(text, quote["begins"]):
            counts.long_quotes += 1
            counts.long_quotes_found += got
    counts.dates, counts.dates_overlap, counts.dates_right = match_dates(
        text, gold["dates"], found.dates
    )
    return counts


def as_found(gold: dict[str, Any], text: str) -> Found:
    """Another annotator's file as what was found (for agreement between annotators)."""
    speakers = {e["name"]: frozenset([e["name"], *e["variants"]]) for e in gold["entities"]}
    quotes = []
    for quote in gold["quotations"]:
        at = text.find(quote["begins"])
        names = speakers.get(quote["speaker"], frozenset()) if quote["speaker"] else frozenset()
        quotes.append((text[at:] if at >= 0 else quote["begins"], names))
    dates, seen = [], {}
    for item in gold["dates"]:
        k = seen[item["text"]] = seen.get(item["text"], -1) + 1
        starts = [m.start() for m in re.finditer(re.escape(item["text"]), text)] or [-1]
        start = starts[min(k, len(starts) - 1)]
        dates.append((start, start + len(item["text"]), item["value"]))
    entities = [(frozenset([e["name"], *e["variants"]]), e["type"]) for e in gold["entities"]]
    return Found(entities, quotes, dates)
