"""Reading a document for intake: plain text or HTML, from a file or stdin.

HTML gives its main text through trafilatura, and its title, author, date and address
from the page's metadata. Both kinds then lose their boilerplate: legal notices, copyright
lines, cookie banners, subscription and sharing prompts, "Lire aussi" links. A legal notice
ends the article: it and every paragraph after it are dropped; so does a data-protection
notice (the law of 6 January 1978 or the GDPR with the reader's rights), however long.

The article text is what offsets refer to: paragraphs separated by one blank line, Unicode
NFC, soft hyphens and zero-width characters removed, lines of a paragraph joined. A plain
text's title line is its first paragraph (read for names and dates like the rest).
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Final

from passerelle.errors import BadInput
from passerelle.intake.model import Article

MAX_BYTES: Final = 5 * 1024 * 1024
# Paragraphs at most this long may be boilerplate; longer ones are article text.
_SHORT: Final = 400
_INVISIBLE: Final = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_HTML: Final = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<article|<div|<p[\s>])", re.I)
# A legal notice: it and all that follows is the page's, not the article's.
_LEGAL: Final = re.compile(
    r"tous droits réservés|droits de reproduction|reproduction (interdite|réservée)"
    r"|mentions légales|all rights reserved|©|\(c\) \d{4}|copyright"
    r"|conditions générales d'utilisation|politique de confidentialité"
    r"|все права защищены",
    re.I,
)
# A data-protection notice addressed to the reader (the French law of 6 January 1978, the
# GDPR): legal too, however long, so it and all after it are dropped.
_DATA_PROTECTION: Final = re.compile(
    r"\bloi\s+(?:n°\s*)?78-17\b|informatique,?\s+(?:aux\s+fichiers\s+et\s+)?(?:aux\s+)?libertés"
    r"|\brgpd\b|règlement\s+général\s+sur\s+la\s+protection\s+des\s+données"
    r"|règlement\s+\(ue\)\s+2016/679",
    re.I,
)
_READER_RIGHTS: Final = re.compile(
    r"\bvous\s+(?:disposez|bénéficiez|pouvez\s+exercer)\b|droits?\s+d['\u2019](?:accès|opposition)"
    r"|droit\s+de\s+(?:rectification|suppression|portabilité)",
    re.I,
)
# Boilerplate wherever it stands: prompts, banners, links to other articles.
_PROMPT: Final = re.compile(
    r"^\s*(lire aussi|à lire aussi|voir aussi|read more|read also|see also|читайте также)\b"
    r"|cookies?\b|abonnez-vous|newsletter|inscrivez-vous|partager sur|partagez cet article"
    r"|suivez-nous|share this|subscribe|sign up|accept(er|ez)? (tous les|all)"
    r"|article réservé aux abonnés",
    re.I,
)


def read_source(source: str) -> bytes:
    """Return the bytes of a file, or of stdin for ``-``."""
    if source == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise BadInput(f"no such file: {source}")
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise BadInput(f"{source} is too large (at most {MAX_BYTES} bytes)")
    return raw


def decode(raw: bytes) -> str:
    """Decode a document: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def is_html(text: str) -> bool:
    """Tell whether a document is an HTML page."""
    return bool(_HTML.match(text[:2000]))


def read_article(text: str) -> Article:
    """Read a document (plain text or HTML) into an article without boilerplate."""
    article = read_html(text) if is_html(text) else read_text(text)
    if not article.text.strip():
        raise BadInput("the document holds no article text")
    return article


def read_text(text: str) -> Article:
    """Read plain text: a short first line without final stop is the title.

    The title stays the text's first paragraph, so that the names, dates and quotations
    it holds are read like the rest (offsets count it)."""
    paragraphs = split_paragraphs(clean(text))
    if len(paragraphs) > 1 and _is_heading(paragraphs[0]):
        title, body = paragraphs[0], strip_boilerplate(paragraphs[1:])
        return Article(text="\n\n".join([title, *body]), title=title)
    return Article(text="\n\n".join(strip_boilerplate(paragraphs)))


def read_html(html: str) -> Article:
    """Read an HTML page: main text by trafilatura, metadata from the page."""
    import trafilatura

    found = trafilatura.extract(
        html,
        output_format="json",
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    if not found:
        raise BadInput("no article text found in the HTML page")
    data = json.loads(found)
    paragraphs = split_paragraphs(clean(str(data.get("text") or "")), lines=True)
    article = Article(
        text="\n\n".join(strip_boilerplate(paragraphs)),
        title=clean(str(data.get("title") or "")).strip(),
        author=clean(str(data.get("author") or "")).strip(),
        published=parse_date(str(data.get("date") or "")),
        url=str(data.get("source") or data.get("url") or ""),
    )
    return replace(article, url=article.url if article.url.startswith("http") else "")


def clean(text: str) -> str:
    """Return text in NFC, without invisible characters, with Unix line ends."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", text)


def split_paragraphs(text: str, lines: bool = False) -> list[str]:
    """Split text into paragraphs: at blank lines, or at every line when ``lines`` is set
    or the text has no blank line."""
    text = text.strip()
    if not text:
        return []
    blocks = re.split(r"\n\s*\n", text) if not lines and "\n\n" in text else text.split("\n")
    paragraphs = [re.sub(r"[ \t]*\n[ \t]*", " ", b).strip() for b in blocks]
    return [re.sub(r"[ \t]{2,}", " ", p) for p in paragraphs if p]


def strip_boilerplate(paragraphs: list[str]) -> list[str]:
    """Drop prompts and banners, and the legal notice that ends a page with all after it."""
    kept: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        short = len(paragraph) <= _SHORT
        if index > 0 and (
            (short and _LEGAL.search(paragraph)) or _data_protection(paragraph, short)
        ):
            break
        if short and _PROMPT.search(paragraph):
            continue
        kept.append(paragraph)
    return kept


def _data_protection(paragraph: str, short: bool) -> bool:
    """Whether a paragraph is a data-protection notice: the law and the reader's rights
    ("Conformément à la loi 78-17 du 6 janvier 1978..., vous disposez d'un droit d'accès"),
    or, short, a line that opens with either ("Loi 78-17 du 6 janvier 1978", "Droit
    d'accès : ...")."""
    if _DATA_PROTECTION.search(paragraph) and _READER_RIGHTS.search(paragraph):
        return True
    return short and bool(_DATA_PROTECTION.match(paragraph) or _READER_RIGHTS.match(paragraph))


def parse_date(text: str) -> date | None:
    """Read a YYYY-MM-DD date (the start of an ISO timestamp), or None."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _is_heading(paragraph: str) -> bool:
    return len(paragraph) <= 150 and not paragraph.rstrip().endswith((".", ":", ";", "»", '"'))
