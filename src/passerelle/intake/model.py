"""The data intake passes between its stages.

Offsets (``start``, ``end``) are character offsets into :attr:`Article.text`, the article
text after extraction (HTML main text, boilerplate removed). Typography normalisation is
length-preserving, so the same offsets are valid in the normalised text the models read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

#: The STIX type of each label a :class:`Mention` may carry.
LABEL_TYPES: Final = {
    "person": "identity",
    "organization": "identity",
    "group": "intrusion-set",
    "location": "location",
    "platform": "infrastructure",
}


_DOC_TEXT: Final = "passerelle.text"


@dataclass
class TextDoc:
    """An article's text as the quotation and fact finders read it when intake has no
    spaCy parse of it: Russian (natasha's parse rides in ``user_data["natasha"]``) and the
    languages intake does not read. The finders read a Doc's text, language (``lang_``),
    named entities (none here) and ``user_data``, never its tokens: a spaCy tokenizer
    run to make one would cost a second segmentation of the text for nothing."""

    text: str
    lang_: str
    ents: tuple[Any, ...] = ()
    user_data: dict[str, Any] = field(default_factory=dict)


def doc_text(doc: Any) -> str:
    """Return a spaCy Doc's text, joined once per Doc: ``Doc.text`` joins every token on
    each read, and the entity, quotation and fact readers all read it."""
    text: str | None = doc.user_data.get(_DOC_TEXT)
    if text is None:
        text = doc.user_data[_DOC_TEXT] = doc.text
    return text


@dataclass(frozen=True)
class Mention:
    """An entity named in the article text.

    ``label`` is one of person, organization, location, group (an armed or terrorist
    group: an intrusion-set), platform (a messaging service or platform). ``canonical`` is
    the name to use (acronym expanded, title stripped, metonymy mapped: "le Kremlin" gives
    "Kremlin", an organization). ``entity_id`` is the resolved entity, if one matched.
    """

    start: int
    end: int
    text: str
    label: str
    canonical: str
    entity_id: str | None = None


@dataclass
class Article:
    """One document read for intake: its text, metadata and languages."""

    text: str
    title: str = ""
    author: str = ""
    published: date | None = None
    url: str = ""
    lang: str = ""
    paragraph_langs: list[tuple[int, int, str]] = field(default_factory=list)
