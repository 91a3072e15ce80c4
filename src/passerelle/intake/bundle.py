"""The bundle of a draft: a STIX 2.1 Report for an analyst to review, or a readable summary.

One object per entity (mentions with the same resolved entity, else the same canonical
name and label, share it): persons and organisations are identities, groups
intrusion-sets, places locations, platforms infrastructure; a Note per quotation. Every
object is marked TLP:CLEAR with source grading ``open-source`` (Passerelle's handling
extension) unless told otherwise.

Intake's own properties are ``x_passerelle_*`` custom properties (offsets are character
offsets into the article text, carried by the report as ``x_passerelle_article_text``):

- on the report: ``x_passerelle_draft`` (true), ``x_passerelle_article_text``,
  ``x_passerelle_source_url``, ``x_passerelle_author``, ``x_passerelle_lang``,
  ``x_passerelle_paragraph_langs`` ([start, end, lang]...), ``x_passerelle_dates``
  ([{start, end, text, value, granularity}]), ``x_passerelle_notices`` (what was not done);
- on each entity object: ``x_passerelle_mentions`` ([{start, end, text}]),
  ``x_passerelle_label`` (person, organization, location, group, platform) and
  ``x_passerelle_entity_id`` (the resolved entity, when one matched);
- on each note: ``x_passerelle_start``, ``x_passerelle_end``, ``x_passerelle_speaker``,
  ``x_passerelle_speaker_kind``, ``x_passerelle_speaker_ref`` (the speaker's object).

Facts (:mod:`passerelle.intake.facts`): a fact whose actor and target are both entity
mentions, and which is not negated, is a ``relationship`` from the actor's object to the
target's, of type :data:`RELATIONSHIP_TYPES` by CAMEO code (``planned-attack-on`` for an
attack prepared, not carried out), with ``x_passerelle_cameo``, ``x_passerelle_label``,
``x_passerelle_verb``, ``x_passerelle_sentence``, ``x_passerelle_sentence_start``,
``x_passerelle_sentence_end``, ``x_passerelle_start``/``x_passerelle_end`` (the trigger),
``x_passerelle_passive``, and when they apply ``x_passerelle_object_text``,
``x_passerelle_actor_inferred``, ``x_passerelle_planned``. Every other fact is an entry of
the report's ``x_passerelle_facts`` (code, label, verb, actor_text, target_text,
object_text, actor_ref/target_ref when one side is an entity, sentence, offsets, negated,
passive, actor_inferred, planned).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from anyascii import anyascii

from passerelle.intake.dates import DateMention
from passerelle.intake.facts import Fact
from passerelle.intake.model import LABEL_TYPES, Article, Mention
from passerelle.intake.quotes import Quotation
from passerelle.stix.markings import HANDLING_EXTENSION_ID, OPEN_SOURCE, TLP2_IDS, Tlp

#: relationship_type per CAMEO code (STIX 2.1 allows types outside its vocabulary).
RELATIONSHIP_TYPES: Final = {
    "064": "shared-intelligence-with",
    "173": "arrested",
    "1711": "seized-from",
    "041": "phoned",
    "051": "praised",
    "010": "made-statement-about",
    "180": "attacked",
    "181": "abducted",
    "183": "bombed",
    "186": "assassinated",
}
PLANNED_ATTACK: Final = "planned-attack-on"
_NAMESPACE: Final = uuid.UUID("8d2f3c9e-6a51-4f0b-b7de-696e74616b65")
# Places the draft can anchor to a country (STIX locations need one, or a region).
COUNTRIES: Final = {
    "russie": "RU",
    "federation de russie": "RU",
    "moscou": "RU",
    "saint petersbourg": "RU",
    "tchetchenie": "RU",
    "daghestan": "RU",
    "kazan": "RU",
    "france": "FR",
    "paris": "FR",
    "marseille": "FR",
    "lyon": "FR",
    "nice": "FR",
    "toulouse": "FR",
    "strasbourg": "FR",
    "ukraine": "UA",
    "kiev": "UA",
    "kyiv": "UA",
    "kharkiv": "UA",
    "odessa": "UA",
    "etats unis": "US",
    "washington": "US",
    "new york": "US",
    "syrie": "SY",
    "damas": "SY",
    "irak": "IQ",
    "bagdad": "IQ",
    "afghanistan": "AF",
    "kaboul": "AF",
    "belgique": "BE",
    "bruxelles": "BE",
    "allemagne": "DE",
    "berlin": "DE",
    "royaume uni": "GB",
    "londres": "GB",
    "turquie": "TR",
    "ankara": "TR",
    "istanbul": "TR",
    "mali": "ML",
    "bamako": "ML",
    "niger": "NE",
    "algerie": "DZ",
    "alger": "DZ",
    "maroc": "MA",
    "tunisie": "TN",
    "libye": "LY",
    "egypte": "EG",
    "israel": "IL",
    "iran": "IR",
    "chine": "CN",
    "pekin": "CN",
    "bielorussie": "BY",
    "minsk": "BY",
    "georgie": "GE",
    "tadjikistan": "TJ",
    "ouzbekistan": "UZ",
    "kazakhstan": "KZ",
    "espagne": "ES",
    "madrid": "ES",
    "italie": "IT",
    "rome": "IT",
    "pologne": "PL",
    "varsovie": "PL",
}


def _key(name: str) -> str:
    return " ".join(anyascii(name).lower().replace("-", " ").replace("'", " ").split())


@dataclass
class Draft:
    """What intake found in one article, before review."""

    article: Article
    mentions: list[Mention]
    dates: list[DateMention] = field(default_factory=list)
    quotations: list[Quotation] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    def bundle(self, tlp: Tlp = Tlp.CLEAR, now: datetime | None = None) -> dict[str, Any]:
        """Return the draft as a STIX 2.1 bundle: the report and everything it holds."""
        return build_bundle(self, tlp, now or datetime.now(UTC))

    def summary(self) -> str:
        """Return the draft as text for a person to read."""
        return render_summary(self)


def _stamp(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def entity_groups(mentions: Sequence[Mention]) -> dict[tuple[str, str], list[Mention]]:
    """Group mentions by what they name: (label, resolved entity or canonical name)."""
    groups: dict[tuple[str, str], list[Mention]] = {}
    for mention in mentions:
        key = (mention.label, mention.entity_id or _key(mention.canonical))
        groups.setdefault(key, []).append(mention)
    return groups


def build_bundle(draft: Draft, tlp: Tlp, now: datetime) -> dict[str, Any]:
    """Return the draft's STIX bundle."""
    article = draft.article
    ids = _Ids(hashlib.sha256(article.text.encode()).hexdigest())
    stamp = _stamp(now)
    common = _common(tlp, stamp)
    objects, object_of_mention = _entity_objects(draft.mentions, ids, common)
    report_id = ids.of("report", "report")
    objects.extend(_quotation_notes(draft.quotations, object_of_mention, report_id, ids, common))
    relationships, loose_facts = _fact_objects(
        draft.facts, object_of_mention, article.text, ids, common
    )
    objects.extend(relationships)
    published = article.published
    report: dict[str, Any] = {
        "type": "report",
        "id": report_id,
        **common,
        "name": article.title or _first_words(article.text),
        "published": f"{published.isoformat()}T00:00:00.000Z" if published else stamp,
        "report_types": ["threat-report"],
        "description": _description(draft),
        "object_refs": [o["id"] for o in objects] or [ids.of("note", "empty")],
        "x_passerelle_draft": True,
        "x_passerelle_article_text": article.text,
    }
    if not objects:  # a report must refer to something: a note saying nothing was found
        objects.append(
            {
                "type": "note",
                "id": report["object_refs"][0],
                **common,
                "content": "Intake found no entity or quotation in this article.",
                "object_refs": [report_id],
            }
        )
    optional: dict[str, Any] = {
        "x_passerelle_source_url": article.url,
        "x_passerelle_author": article.author,
        "x_passerelle_lang": article.lang,
        "x_passerelle_paragraph_langs": [list(p) for p in article.paragraph_langs],
        "x_passerelle_dates": [_date_view(d) for d in draft.dates],
        "x_passerelle_notices": draft.notices,
        "x_passerelle_facts": loose_facts,
    }
    report.update({k: v for k, v in optional.items() if v})
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid4()}",
        "objects": [report, *objects],
    }


@dataclass(frozen=True)
class _Ids:
    """The ids of one article's objects: the same article text gives the same ids."""

    digest: str

    def of(self, kind: str, key: str) -> str:
        """Return the id of the object of this kind and key."""
        return f"{kind}--{uuid.uuid5(_NAMESPACE, self.digest + '|' + key)}"


def _common(tlp: Tlp, stamp: str) -> dict[str, Any]:
    """The properties every object of the draft has: version, times, handling."""
    return {
        "spec_version": "2.1",
        "created": stamp,
        "modified": stamp,
        "object_marking_refs": [TLP2_IDS[tlp]],
        "extensions": {
            HANDLING_EXTENSION_ID: {
                "extension_type": "property-extension",
                "source_grading": {"scheme": OPEN_SOURCE},
            }
        },
    }


def _entity_objects(
    mentions: list[Mention], ids: _Ids, common: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """One object per entity, and the object of each mention (by its index)."""
    objects: list[dict[str, Any]] = []
    object_of_mention: dict[int, str] = {}
    index_of = {id(m): i for i, m in enumerate(mentions)}
    for (label, key), group in entity_groups(mentions).items():
        stix_type = LABEL_TYPES[label]
        obj: dict[str, Any] = {
            "type": stix_type,
            "id": ids.of(stix_type, label + "|" + key),
            **common,
        }
        obj.update(_entity_properties(label, group))
        objects.append(obj)
        for mention in group:
            object_of_mention[index_of[id(mention)]] = obj["id"]
    return objects, object_of_mention


def _quotation_notes(
    quotations: list[Quotation],
    object_of_mention: dict[int, str],
    report_id: str,
    ids: _Ids,
    common: dict[str, Any],
) -> list[dict[str, Any]]:
    """A note per quotation, referring to its speaker's object when there is one."""
    notes: list[dict[str, Any]] = []
    for number, quote in enumerate(quotations):
        note: dict[str, Any] = {
            "type": "note",
            "id": ids.of("note", f"quote|{number}"),
            **common,
            "content": quote.text,
            "object_refs": [report_id],
            "x_passerelle_start": quote.start,
            "x_passerelle_end": quote.end,
            "x_passerelle_speaker_kind": quote.speaker_kind,
        }
        if quote.speaker:
            note["x_passerelle_speaker"] = quote.speaker
        speaker = (
            object_of_mention.get(quote.mention_index) if quote.mention_index is not None else None
        )
        if speaker is not None:
            note["x_passerelle_speaker_ref"] = speaker
            note["object_refs"] = [report_id, speaker]
        notes.append(note)
    return notes


def _fact_objects(
    facts: list[Fact],
    object_of_mention: dict[int, str],
    text: str,
    ids: _Ids,
    common: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A relationship per fact between two entities, not negated; the others as entries of
    the report's ``x_passerelle_facts``."""
    relationships: list[dict[str, Any]] = []
    loose_facts: list[dict[str, Any]] = []
    for number, fact in enumerate(facts):
        actor = object_of_mention.get(fact.actor_index) if fact.actor_index is not None else None
        target = object_of_mention.get(fact.target_index) if fact.target_index is not None else None
        view = _fact_view(fact, text)
        if actor is None or target is None or actor == target or fact.negated:
            view.update({"actor_ref": actor, "target_ref": target})
            loose_facts.append({k: v for k, v in view.items() if v is not None})
            continue
        kind = PLANNED_ATTACK if fact.planned else RELATIONSHIP_TYPES.get(fact.code, "related-to")
        relationship: dict[str, Any] = {
            "type": "relationship",
            "id": ids.of("relationship", f"fact|{number}"),
            **common,
            "relationship_type": kind,
            "source_ref": actor,
            "target_ref": target,
            "description": f"{fact.label} (CAMEO {fact.code}): {view['sentence']}",
        }
        relationship.update(
            {
                f"x_passerelle_{k}": v
                for k, v in view.items()
                if k != "negated" and not (v is None or v is False or v == "")
            }
        )
        relationship["x_passerelle_cameo"] = fact.code
        relationship["x_passerelle_passive"] = fact.passive
        relationship.pop("x_passerelle_code", None)
        relationships.append(relationship)
    return relationships, loose_facts


def _entity_properties(label: str, group: list[Mention]) -> dict[str, Any]:
    first = max(group, key=lambda m: len(m.canonical))
    name = first.canonical
    props: dict[str, Any] = {
        "name": name,
        "x_passerelle_label": label,
        "x_passerelle_mentions": [{"start": m.start, "end": m.end, "text": m.text} for m in group],
    }
    others = sorted({m.text for m in group} - {name})
    if label in ("person", "organization"):
        props["identity_class"] = "individual" if label == "person" else "organization"
    elif label == "location":
        country = COUNTRIES.get(_key(name))
        # A place the gazetteer does not know is anchored to region "unknown" for review.
        props.update({"country": country} if country else {"region": "unknown"})
    elif label == "platform":
        props["description"] = "Messaging service or platform named in the article"
    if others and label in ("group",):
        props["aliases"] = others
    if first.entity_id:
        props["x_passerelle_entity_id"] = first.entity_id
    return props


def _fact_view(fact: Fact, text: str) -> dict[str, Any]:
    return {
        "code": fact.code,
        "label": fact.label,
        "verb": fact.verb,
        "actor_text": fact.actor_text,
        "target_text": fact.target_text,
        "object_text": fact.object_text,
        "start": fact.start,
        "end": fact.end,
        "sentence_start": fact.sentence_start,
        "sentence_end": fact.sentence_end,
        "sentence": text[fact.sentence_start : fact.sentence_end] or fact.sentence,
        "negated": fact.negated,
        "passive": fact.passive,
        "actor_inferred": fact.actor_inferred,
        "planned": fact.planned,
    }


def _date_view(mention: DateMention) -> dict[str, Any]:
    return {
        "start": mention.start,
        "end": mention.end,
        "text": mention.text,
        "value": mention.value,
        "granularity": mention.granularity,
    }


def _first_words(text: str, limit: int = 80) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + "…"


def _description(draft: Draft) -> str:
    article = draft.article
    parts = ["Draft from an open source, for review."]
    if article.url:
        parts.append(f"Source: {article.url}.")
    if article.author:
        parts.append(f"Author: {article.author}.")
    parts.extend(notice[:1].upper() + notice[1:] + "." for notice in draft.notices)
    return " ".join(parts)


def render_summary(draft: Draft) -> str:
    """Return a readable account of the draft."""
    article = draft.article
    counts: dict[str, int] = {}
    for _start, _end, lang in article.paragraph_langs:
        counts[lang or "?"] = counts.get(lang or "?", 0) + 1
    languages = ", ".join(f"{lang} {n}" for lang, n in sorted(counts.items()))
    lines = [
        f"Title: {article.title or '(none)'}",
        f"Published: {article.published.isoformat() if article.published else '(unknown)'}",
        f"Language: {article.lang or '(unknown)'} (paragraphs: {languages or 'none'})",
    ]
    if article.author:
        lines.append(f"Author: {article.author}")
    if article.url:
        lines.append(f"Source: {article.url}")
    lines.extend(f"Note: {notice}" for notice in draft.notices)
    groups = entity_groups(draft.mentions)
    lines.append(f"Entities ({len(groups)}):")
    for (label, _key), group in sorted(groups.items(), key=lambda g: (g[0][0], g[1][0].start)):
        name = max(group, key=lambda m: len(m.canonical)).canonical
        where = ", ".join(f"{m.start}-{m.end}" for m in group)
        linked = f" -> {group[0].entity_id}" if group[0].entity_id else ""
        lines.append(f"  {label:<12} {name}{linked}  [{len(group)}x at {where}]")
    if draft.dates:
        lines.append(f"Dates ({len(draft.dates)}):")
        lines.extend(f"  {d.text!r} = {d.value} ({d.start}-{d.end})" for d in draft.dates)
    if draft.quotations:
        lines.append(f"Quotations ({len(draft.quotations)}):")
        for quote in draft.quotations:
            who = quote.speaker or "(speaker unknown)"
            lines.append(f"  {who} ({quote.speaker_kind}), {quote.start}-{quote.end}: {quote.text}")
    if draft.facts:
        lines.append(f"Facts ({len(draft.facts)}):")
        lines.extend(f"  {_fact_line(draft, fact)}" for fact in draft.facts)
    return "\n".join(lines)


def _fact_line(draft: Draft, fact: Fact) -> str:
    def side(index: int | None, text: str) -> str:
        if index is not None and index < len(draft.mentions):
            return draft.mentions[index].canonical
        return text or "?"

    flags = [
        flag
        for flag, on in (
            ("negated", fact.negated),
            ("passive", fact.passive),
            ("actor inferred", fact.actor_inferred),
            ("planned", fact.planned),
        )
        if on
    ]
    what = f" [{fact.object_text}]" if fact.object_text else ""
    more = f" ({', '.join(flags)})" if flags else ""
    actor = side(fact.actor_index, fact.actor_text)
    target = side(fact.target_index, fact.target_text) if fact.target_text else "-"
    return (
        f"{fact.code} {fact.label}: {actor} -> {target}{what}, "
        f"'{fact.verb}' at {fact.start}-{fact.end}{more}"
    )
