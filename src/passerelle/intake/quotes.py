# ruff: noqa: RUF001, RUF002  (guillemets, curly quotes and dashes, on purpose)
"""Direct quotations in a French article and who said them.

Quotation marks: « » (with or without non-breaking or narrow non-breaking spaces), “ ”,
„ “, ‹ ›, and straight double quotes; quotes nest (‹ › or “ ” inside « »). A quote left
open stops at the end of its paragraph and is flagged ``unclosed``.

The speaker is looked for next to the quote, in the same sentence (inside the parent quote
for a nested one): first right after it (", a-t-il dit", ", a déclaré M. X", ", selon le
FSB", ", lit-on dans ce texte"), then before it ("M. X a déclaré : «", "Selon X, «"). The
speaker expression is a named person or organisation (a :class:`Mention`, or a spaCy
PER/ORG entity the mentions missed), a pronoun (resolved to the most recent person
mention before it outside any quote), a title ("le porte-parole du Kremlin", with its
organisation; with an appositive name the name is the speaker), or a document
("le communiqué du FSB", "ce texte": its organisation, or the most recent organisation
named before it). A quote of fewer than four words with no speech cue around it is a
scare quote, not a quotation. A longer quote with no cue takes the speaker of the previous
quotation in its paragraph, else is kept with kind "unknown".

English and Russian (picked by ``doc.lang_``; French cues and rules are unchanged) use the
same marks and rules with their own cues: "said", "told reporters", "added", "according
to X", "X said in a statement", inverted "said Mr X", "the statement read", "he/she
said" ("it said": the last organisation); "заявил", "сказал", "сообщил", "отметил",
"добавил", "подчеркнул"..., "по словам X", "как заявил X", "говорится в сообщении ФСБ",
"сказал он". After the quote the speaker may stand before the verb ('"...," the FSB
said') or after it ("— заявил Песков"); a title joins a name with or without a comma
("Kremlin spokesman Dmitry Peskov", "пресс-секретарь Кремля Дмитрий Песков").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from spacy.tokens import Doc

SPEAKER_KINDS = ("person", "organization", "pronoun", "title", "communique", "unknown")
_SCARE_QUOTE_WORDS = 4
_AFTER_REACH = 40  # a cue after the quote must start this close to the closing mark
_SHORT_BEFORE_REACH = 30  # for a short quote, a cue before it must be this close


class MentionLike(Protocol):
    """The shape of :class:`passerelle.intake.model.Mention` that quotes read."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def canonical(self) -> str: ...


@dataclass(frozen=True)
class Quotation:
    """A direct quotation: its inner text span and its speaker.

    ``speaker_start``/``speaker_end`` cover the speaker expression as written (title and
    name, pronoun, or document). ``mention_index`` indexes the mentions passed in.
    ``organization`` is the organisation a title or document speaks for ("Kremlin" for
    "le porte-parole du Kremlin"), with its mention index if it is a mention.
    """

    start: int
    end: int
    text: str
    speaker: str
    speaker_start: int | None
    speaker_end: int | None
    speaker_kind: str
    mention_index: int | None
    unclosed: bool
    parent: int | None
    organization: str = ""
    organization_index: int | None = None


# ---------------------------------------------------------------- quotation marks

_PAIRS = {"«": "»", "“": "”", "„": "“", "‹": "›", '"': '"'}
_SPACES = " \t\u00a0\u202f\u2009\u2007"


@dataclass
class _Span:
    open: int
    close: int  # index of the closing mark, or the paragraph end when unclosed
    unclosed: bool
    parent: int | None
    closer: str

    @property
    def outer_end(self) -> int:
        return self.close if self.unclosed else self.close + 1


def _scan(text: str) -> list[_Span]:
    """Pair the quotation marks of ``text``; a paragraph end closes what is open."""
    spans: list[_Span] = []
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "\n":
            for k in stack:
                spans[k].close, spans[k].unclosed = i, True
            stack.clear()
        elif stack and any(spans[k].closer == ch for k in stack):
            while stack:
                k = stack.pop()
                if spans[k].closer == ch:
                    spans[k].close = i
                    break
                spans[k].close, spans[k].unclosed = i, True
        elif ch in _PAIRS:
            spans.append(_Span(i, -1, False, stack[-1] if stack else None, _PAIRS[ch]))
            stack.append(len(spans) - 1)
    for k in stack:
        spans[k].close, spans[k].unclosed = len(text), True
    return spans


def _inner(text: str, span: _Span) -> tuple[int, int]:
    start, end = span.open + 1, span.close
    while start < end and text[start] in _SPACES:
        start += 1
    while end > start and (text[end - 1] in _SPACES or (span.unclosed and text[end - 1].isspace())):
        end -= 1
    return start, end


# ---------------------------------------------------------------- speech cues


def _words(text: str) -> list[str]:
    return text.split()


def _er_forms(verb: str) -> list[str]:
    s = verb[:-2]
    return [s + e for e in ("e", "ent", "é", "ée", "és", "ées", "ait", "aient", "a", "era", "er")]


_ER_VERBS = _words(
    "déclarer affirmer annoncer souligner préciser ajouter expliquer estimer indiquer "
    "confier lancer dénoncer assurer raconter insister confirmer nier répliquer exclamer "
    "accuser ironiser tonner fustiger noter observer résumer témoigner relever avancer "
    "regretter déplorer commenter avouer clamer proclamer rétorquer plaider glisser souffler "
    "lâcher certifier signaler mentionner tweeter demander interroger inquiéter "
    "féliciter alerter prédire martel rappel"
)
_IRREGULAR = _words(
    "dit disent disait disaient dira dire écrit écrivent écrivait écrite écrire lit lisent "
    "lu lisait lire répond répondent répondu répondait répondre reconnaît reconnait "
    "reconnaissent reconnu reconnaissait reconnaître poursuit poursuivent poursuivi "
    "poursuivait conclut conclu concluait admet admis admettait promet promis soutient "
    "soutenu soutenait prévient prévenu prévenait avertit averti avertissait réagit réagi "
    "réagissait dément démenti démentait martèle martelé martelait rappelle rappelé "
    "rappelait répète répété répétait annonçait annonça lança lançait menace menacé "
    "menaçait juge jugé jugeait résume"
)
_FORMS = sorted(
    {f for v in _ER_VERBS if v.endswith("er") for f in _er_forms(v)} | set(_IRREGULAR),
    key=len,
    reverse=True,
)
_VERB = r"(?:" + "|".join(_FORMS) + r")"
_PRONOUN = r"(?:il|elle|ils|elles|on)"
_CUE = re.compile(
    rf"(?<![\w-])(?:"
    rf"(?P<aux>a|ont|avait|avaient|aurait|auraient|peut|pouvait)-(?:t-)?(?P<pro1>{_PRONOUN})"
    rf"(?:\s+\w+)??\s+(?P<verb1>{_VERB}|lire)"
    rf"|(?P<verb2>{_VERB})-(?:t-)?(?P<pro2>{_PRONOUN})"
    rf"|(?P<prep>selon|d['’]après|pour|aux\s+yeux\s+d(?:e|u|es|['’]))"
    rf"|(?P<verb3>{_VERB})"
    rf")(?![\w])",
    re.IGNORECASE,
)

# ---------------------------------------------------------------- speaker expressions

_TITLES = _words(
    "porte-parole premier ministre président présidente vice-président directeur directrice "
    "chef cheffe secrétaire ambassadeur ambassadrice procureur procureure général colonel "
    "commandant responsable conseiller conseillère dirigeant dirigeante maire député "
    "députée sénateur sénatrice juge avocat avocate patron patronne représentant "
    "représentante diplomate source officiel enquêteur enquêtrice expert experte analyste "
    "chercheur chercheuse commissaire préfet préfète chancelier chancelière gouverneur "
    "émissaire négociateur spécialiste"
)
_DOCUMENTS = _words(
    "communiqué texte déclaration rapport document note message lettre courrier publication "
    "tweet billet vidéo enregistrement"
)
_NATIONALITY = (
    "russe russes français française ukrainien ukrainienne américain américaine "
    "britannique allemand allemande chinois chinoise biélorusse européen européenne "
    "iranien iranienne syrien syrienne turc turque adjoint adjointe général générale"
)
_DET = r"(?:le|la|les|l['’]|un|une|des|ce|cet|cette|ces|son|sa|ses|leur|leurs)"
_COMPLEMENT = (
    r"(?:\s+(?:" + "|".join(_NATIONALITY.split()) + r"))?"
    r"(?:\s+(?:du|des|de\s+la|de\s+l['’]|de|d['’])\s*[\w’'-]+(?:\s+[A-ZÉÈ][\w’'-]*)*"
    r"(?:\s+(?:" + "|".join(_NATIONALITY.split()) + r"))?){0,2}"
)
_TITLE_NP = re.compile(
    rf"(?<![\w])(?i:{_DET}\s*(?:(?:nouveau|nouvelle|ancien|ancienne|haut|haute)\s+)?"
    rf"(?:{'|'.join(re.escape(t) for t in _TITLES)})s?)(?![\w-]){_COMPLEMENT}"
)
_DOCUMENT_NP = re.compile(
    rf"(?<![\w])(?i:{_DET}\s*(?:{'|'.join(_DOCUMENTS)})s?)(?![\w-]){_COMPLEMENT}"
)
_BARE_PRONOUN = re.compile(r"(?<![\w-])(?:il|elle|ils|elles)(?![\w-])", re.IGNORECASE)
_HONORIFIC = re.compile(r"(?:\bM\.|\bMM\.|\bMme|\bMlle|\bMe|\bDr|\bPr)\s*$")
_SENTENCE_END = re.compile(r"(?<!\bM)(?<!\bMM)(?<!\bMme)(?<!\bDr)(?<!\b[A-Z])[.!?…](?=\s)")


_ORG_OF = re.compile(r"(?:du|de\s+la|de\s+l['’]|des|de|d['’])\s*([A-ZÉ][\w’'-]*)")


@dataclass(frozen=True)
class _Lang:
    """The cues and speaker expressions of one language."""

    cue: re.Pattern[str]
    title_np: re.Pattern[str]
    document_np: re.Pattern[str]
    pronoun: re.Pattern[str]
    honorific: re.Pattern[str]
    sentence_end: re.Pattern[str]
    org_of: re.Pattern[str]
    apposition: re.Pattern[str]
    after_reach: int = _AFTER_REACH
    speaker_before_verb: bool = False  # '"...", Peskov said' (en), '«...», — Песков заявил'
    cut_titles: bool = False
    thing_pronouns: frozenset[str] = frozenset()


_FRENCH = _Lang(
    _CUE,
    _TITLE_NP,
    _DOCUMENT_NP,
    _BARE_PRONOUN,
    _HONORIFIC,
    _SENTENCE_END,
    _ORG_OF,
    re.compile(r"\s*,\s*"),
)


# English: "..., he said", "..., the FSB said in a statement", "..., said Mr X", "X told
# reporters: ...", "According to X, ...", "..., the statement read".
_EN_VERB = (
    r"(?:said|says|told|tells|added|adds|stated|states|noted|notes|explained|warned|warns|"
    r"insisted|claimed|claims|stressed|stresses|wrote|writes|declared|announced|asserted|"
    r"confirmed|replied|continued|argued|tweeted|posted|remarked|observed|acknowledged|"
    r"admitted|denied|conceded|recalled|reads|read)"
)
_EN_PRONOUN = r"(?:he|she|they|it)"
_EN_TITLES = _words(
    "spokesman spokeswoman spokesperson minister president director chief head secretary "
    "ambassador prosecutor general colonel commander official officer adviser advisor "
    "representative diplomat source investigator expert analyst researcher governor envoy "
    "negotiator chancellor mayor senator lawmaker aide"
)
_EN_DOCUMENTS = "statement communique communiqué release report document note letter post"
_ENGLISH = _Lang(
    cue=re.compile(
        rf"(?<![\w-])(?:"
        rf"(?P<pro1>{_EN_PRONOUN})(?:\s+(?:also|later|then|had|has))?\s+(?P<verb1>{_EN_VERB})"
        rf"|(?P<verb2>said|says)\s+(?P<pro2>he|she)"
        rf"|(?P<prep>according\s+to)"
        rf"|(?P<verb3>{_EN_VERB})"
        rf")(?![\w])",
        re.IGNORECASE,
    ),
    title_np=re.compile(
        r"(?<![\w])(?:(?i:the|a|an|his|her|its|their)\s+)?(?:[A-Z][\w.'’-]*\s+){0,3}"
        r"(?i:(?:deputy|senior|former|foreign|defence|defense|interior|prime|vice|top|press)\s+)*"
        rf"(?i:{'|'.join(_EN_TITLES)})s?(?![\w-])"
        r"(?:\s+(?:of|for|at)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)?"
    ),
    document_np=re.compile(
        rf"(?<![\w])(?i:(?:the|a|an|this|that|its|their|his|her)\s+)"
        r"(?:[A-Z][\w.'’-]*\s+){0,3}"
        rf"(?i:{'|'.join(_EN_DOCUMENTS.split())})(?![\w-])"
        r"(?:\s+(?:of|from|by)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)?"
    ),
    pronoun=re.compile(r"(?<![\w-])(?:he|she|they)(?![\w-])", re.IGNORECASE),
    honorific=re.compile(r"(?:\bMr|\bMrs|\bMs|\bDr)\.?\s*$"),
    sentence_end=re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\b[A-Z])[.!?…](?=\s)"),
    org_of=re.compile(r"([A-Z][\w'’-]*)"),
    apposition=re.compile(r"\s*,?\s*"),
    after_reach=60,
    speaker_before_verb=True,
    cut_titles=True,
    thing_pronouns=frozenset({"it"}),
)

# Russian: "«...», — заявил Песков", "как заявил X", "по словам X", "говорится в сообщении
# ФСБ", "пресс-секретарь Кремля Дмитрий Песков", "сказал он".
_RU_PAST = _words(
    "заяви сказа сообщи отмети добави подчеркну поясни указа уточни написа призна "
    "рассказа предупреди завери констатирова ответи прокомментирова заключи резюмирова "
    "добавля говори сообща"
)
_RU_PRESENT = _words(
    "заявляет заявляют говорит говорят сообщает сообщают отмечает отмечают подчёркивает "
    "подчеркивает считает считают утверждает утверждают пишет пишут добавляет поясняет "
    "уточняет говорится сообщается отмечается указывается подчёркивается подчеркивается"
)
_RU_VERB = r"(?:(?:" + "|".join(_RU_PAST) + r")(?:л|ла|ло|ли)|" + "|".join(_RU_PRESENT) + r")"
_RU_PRONOUN = r"(?:он|она|они)"
_RU_TITLES = (
    r"пресс-секретар\w*|президент\w*|премьер-министр\w*|министр\w*|глав[аеуыой]\w*|"
    r"директор\w*|руководител\w*|представител\w*|спикер\w*|посл[аеуом]\w*|посол|"
    r"генерал\w*|председател\w*|заместител\w*|помощник\w*|советник\w*|прокурор\w*|"
    r"губернатор\w*|мэр\w*|депутат\w*|сенатор\w*|источник\w*|эксперт\w*|аналитик\w*|"
    r"следовател\w*|командир\w*|начальник\w*|дипломат\w*"
)
_RU_DOCUMENTS = (
    r"сообщени\w*|заявлени\w*|пресс-релиз\w*|коммюнике|релиз\w*|документ\w*|"
    r"публикаци\w*|обращени\w*|письм\w*|докладе?\w*|телеграм-канал\w*"
)
_RU_COMPLEMENT = r"(?:(?:\s+[а-яё-]+){0,2}\s+[А-ЯЁA-Z][\w-]*(?:\s+[А-ЯЁA-Z][\w-]*)*)?"
_RUSSIAN = _Lang(
    cue=re.compile(
        rf"(?<![\w-])(?:"
        rf"(?P<pro1>{_RU_PRONOUN})(?:\s+(?:также|еще|ещё|тогда|позже))?\s+(?P<verb1>{_RU_VERB})"
        rf"|(?P<verb2>{_RU_VERB})\s+(?P<pro2>{_RU_PRONOUN})"
        rf"|(?P<prep>по\s+словам|по\s+данным|по\s+мнению|согласно)"
        rf"|(?P<verb3>{_RU_VERB})"
        rf")(?![\w])",
        re.IGNORECASE,
    ),
    title_np=re.compile(
        r"(?<![\w-])(?:(?i:официальн\w+|бывш\w+|нов\w+)\s+)?"
        rf"(?i:{_RU_TITLES})(?![\w-]){_RU_COMPLEMENT}"
    ),
    document_np=re.compile(rf"(?<![\w-])(?i:{_RU_DOCUMENTS})(?![\w-]){_RU_COMPLEMENT}"),
    pronoun=re.compile(r"(?<![\w-])(?:он|она|они)(?![\w-])", re.IGNORECASE),
    honorific=re.compile(r"(?:г-н|г-жа)\s*$"),
    sentence_end=re.compile(r"(?<!\b[А-ЯЁA-Z])[.!?…](?=\s)"),
    org_of=re.compile(r"([А-ЯЁA-Z][\w-]*)"),
    apposition=re.compile(r"\s*,?\s*"),
    after_reach=60,
    speaker_before_verb=True,
    cut_titles=True,
)
_LANGS: dict[str, _Lang] = {"fr": _FRENCH, "en": _ENGLISH, "ru": _RUSSIAN}


@dataclass(frozen=True)
class _Speaker:
    start: int
    end: int
    kind: str  # person | organization | pronoun | title | communique
    name: str
    mention: int | None = None
    organization: str = ""
    organization_index: int | None = None


class _Article:
    """The text, its mentions and quotes, and the speaker expressions found in it."""

    def __init__(
        self, doc: Doc, mentions: Sequence[MentionLike], spans: list[_Span], lang: _Lang
    ) -> None:
        self.lang = lang
        self.text = doc.text
        self.mentions = mentions
        self.spans = spans
        self.candidates = self._candidates(doc)

    def inside_quote(self, start: int, end: int) -> bool:
        return any(s.open < start and end <= s.outer_end for s in self.spans if s.parent is None)

    def _org_in(self, start: int, end: int) -> tuple[str, int | None]:
        for i, m in enumerate(self.mentions):
            if start <= m.start and m.end <= end and m.label != "person":
                return m.canonical, i
        found = self.lang.org_of.search(self.text[start:end])
        return (found.group(1), None) if found else ("", None)

    def _candidates(self, doc: Doc) -> list[_Speaker]:
        text = self.text
        found: list[_Speaker] = []
        lang = self.lang
        for pattern, kind in ((lang.title_np, "title"), (lang.document_np, "communique")):
            for m in pattern.finditer(text):
                start, end = m.start(), self._cut_at_person(m.start(), m.end())
                if end <= start:
                    continue
                org, org_i = self._org_in(start, end)
                found.append(_Speaker(start, end, kind, text[start:end], None, org, org_i))
        phrases = list(found)
        for i, mention in enumerate(self.mentions):
            if any(p.start <= mention.start and mention.end <= p.end for p in phrases):
                continue
            kind = "person" if mention.label == "person" else "organization"
            honorific = lang.honorific.search(text, max(0, mention.start - 6), mention.start)
            start = honorific.start() if honorific else mention.start
            found.append(_Speaker(start, mention.end, kind, mention.canonical, i))
        for ent in doc.ents:
            if ent.label_ not in ("PER", "ORG"):
                continue
            taken = any(c.start < ent.end_char and ent.start_char < c.end for c in found)
            if not taken:
                kind = "person" if ent.label_ == "PER" else "organization"
                found.append(_Speaker(ent.start_char, ent.end_char, kind, ent.text))
        for m in lang.pronoun.finditer(text):
            found.append(_Speaker(m.start(), m.end(), "pronoun", m[0]))
        return sorted(found, key=lambda c: (c.start, -c.end))

    def _cut_at_person(self, start: int, end: int) -> int:
        """English and Russian: a title phrase stops where a person's name starts
        ("Kremlin spokesman Dmitry Peskov"); French phrases are kept as matched."""
        if not self.lang.cut_titles:
            return end
        for m in self.mentions:
            if m.label == "person" and m.start < end and m.end > start:
                return len(self.text[start : m.start].rstrip(" ,")) + start
        return end

    def resolve_pronoun(self, start: int, end: int) -> _Speaker:
        """Resolve the pronoun at start:end to the most recent person named before it
        (for English "it", the most recent organisation)."""
        best: int | None = None
        thing = self.text[start:end].lower() in self.lang.thing_pronouns
        for i, m in enumerate(self.mentions):
            if (m.label == "person") == thing or m.label == "location":
                continue
            if m.end > start or self.inside_quote(m.start, m.end):
                continue
            if best is None or m.start > self.mentions[best].start:
                best = i
        if best is None:
            return _Speaker(start, end, "pronoun", "")
        return _Speaker(start, end, "pronoun", self.mentions[best].canonical, best)

    def resolve_document(self, doc_np: _Speaker, before: int) -> _Speaker:
        """A document speaks for its organisation, else the last one named before it."""
        if doc_np.organization:
            return _Speaker(
                doc_np.start, doc_np.end, "communique", doc_np.organization,
                doc_np.organization_index, doc_np.organization, doc_np.organization_index,
            )  # fmt: skip
        for i in range(len(self.mentions) - 1, -1, -1):
            m = self.mentions[i]
            if m.label != "person" and m.end <= before and not self.inside_quote(m.start, m.end):
                return _Speaker(
                    doc_np.start, doc_np.end, "communique", m.canonical, i, m.canonical, i
                )
        return _Speaker(doc_np.start, doc_np.end, "communique", doc_np.name)

    def with_apposition(self, speaker: _Speaker) -> _Speaker:
        """Join a title and an adjacent name: "le porte-parole du Kremlin, Dmitri Peskov"."""
        sep = self.lang.apposition
        if speaker.kind == "title":
            for c in self.candidates:
                if (
                    c.kind == "person"
                    and c.start >= speaker.end
                    and sep.fullmatch(self.text[speaker.end : c.start])
                ):
                    return _Speaker(
                        speaker.start, c.end, "person", c.name, c.mention,
                        speaker.organization, speaker.organization_index,
                    )  # fmt: skip
        if speaker.kind == "person":
            for c in self.candidates:
                if c.kind != "title":
                    continue
                if c.end <= speaker.start and sep.fullmatch(self.text[c.end : speaker.start]):
                    return _Speaker(
                        c.start, speaker.end, "person", speaker.name, speaker.mention,
                        c.organization, c.organization_index,
                    )  # fmt: skip
                if c.start >= speaker.end and sep.fullmatch(self.text[speaker.end : c.start]):
                    return _Speaker(
                        speaker.start, c.end, "person", speaker.name, speaker.mention,
                        c.organization, c.organization_index,
                    )  # fmt: skip
        return speaker

    def named(self, speaker: _Speaker, quote_open: int) -> _Speaker:
        if speaker.kind == "pronoun":
            return self.resolve_pronoun(speaker.start, speaker.end)
        if speaker.kind == "communique":
            return self.resolve_document(speaker, quote_open)
        return self.with_apposition(speaker)

    def first_after(self, pos: int, limit: int) -> _Speaker | None:
        for c in self.candidates:
            if pos <= c.start and c.end <= limit and c.kind != "pronoun":
                return c
        return None

    def last_before(self, pos: int, floor: int) -> _Speaker | None:
        best = None
        for c in self.candidates:
            if c.start < floor or c.end > pos:
                continue
            if best is None or c.end > best.end or (c.end == best.end and c.start < best.start):
                best = c
        return best


# ---------------------------------------------------------------- windows


def _blank(text: str, spans: list[_Span], keep: int) -> str:
    """Blank out the quotes that are siblings of ``spans[keep]`` (same parent), and it."""
    chars = list(text)
    parent = spans[keep].parent
    for s in spans:
        if s.parent == parent:
            for i in range(s.open, min(s.outer_end, len(chars))):
                if chars[i] != "\n":
                    chars[i] = " "
    return "".join(chars)


def _bounds(text: str, spans: list[_Span], k: int) -> tuple[int, int]:
    """The paragraph of a top-level quote, or the inner text of the parent of a nested one."""
    span = spans[k]
    if span.parent is not None:
        return _inner(text, spans[span.parent])
    start = text.rfind("\n", 0, span.open) + 1
    end = text.find("\n", span.outer_end)
    return start, len(text) if end < 0 else end


def _after_cue(art: _Article, masked: str, close: int, limit: int, open_: int) -> _Speaker | None:
    window_end = limit
    lang = art.lang
    end = lang.sentence_end.search(masked, close, limit)
    if end:
        window_end = end.start()
    for cue in lang.cue.finditer(masked, close, window_end):
        lead = masked[close : cue.start()].lstrip(_SPACES)
        # the comma before an inverted attribution sits outside the marks, or inside in
        # English style (“..., ” he said)
        inside = art.text[:close].rstrip(_SPACES + '»”“›"').endswith((",", "!", "?"))
        if not (inside or lead.startswith((",", "—", "–", "("))):
            break
        if len(lead.strip(" ,;:—–(-\u00a0\u202f")) > lang.after_reach:
            break
        speaker = _speaker_for(art, cue, window_end, open_, after=True, floor=close)
        return speaker or _unknown(cue.start())
    return None


def _before_cue(art: _Article, masked: str, floor: int, open_: int, short: bool) -> _Speaker | None:
    ends = list(art.lang.sentence_end.finditer(masked, floor, open_))
    start = ends[-1].end() if ends else floor
    cues = list(art.lang.cue.finditer(masked, start, open_))
    for cue in reversed(cues):
        if (
            cue["prep"]
            and cue["prep"].lower() == "pour"
            and not _leads_sentence(masked, start, cue, open_)
        ):
            continue
        if short and open_ - cue.end() > _SHORT_BEFORE_REACH:
            return None
        speaker = _speaker_for(art, cue, open_, open_, after=False, floor=start)
        return speaker or _unknown(cue.start())
    return None


def _leads_sentence(masked: str, start: int, cue: re.Match[str], open_: int) -> bool:
    """Whether "pour X," opens the sentence right before the quote, as in "Pour X, «"."""
    return not masked[start : cue.start()].strip() and masked[:open_].rstrip().endswith(",")


def _unknown(pos: int) -> _Speaker:
    return _Speaker(pos, pos, "unknown", "")


def _speaker_for(
    art: _Article, cue: re.Match[str], limit: int, open_: int, *, after: bool, floor: int = 0
) -> _Speaker | None:
    pro = cue["pro1"] or cue["pro2"]
    verb = (cue["verb1"] or cue["verb2"] or "").lower()
    if pro and pro.lower() == "on":
        if verb in ("lit", "lire", "lu"):
            doc_np = art.first_after(cue.end(), limit)
            if doc_np is not None:
                return art.resolve_document(doc_np, open_)
            return _Speaker(cue.start(), cue.end(), "communique", "")
        found = art.first_after(cue.end(), limit)
        return art.named(found, open_) if found else None
    if pro:
        p_start = cue.start("pro1") if cue["pro1"] else cue.start("pro2")
        return art.resolve_pronoun(p_start, p_start + len(pro))
    if cue["prep"]:
        found = art.first_after(cue.end(), limit)
        return art.named(found, open_) if found else None
    if after:
        found = None
        if art.lang.speaker_before_verb:  # "..., the FSB said", "..., Peskov told reporters"
            found = art.last_before(cue.start(), floor)
        found = found or art.first_after(cue.end(), limit)
        return art.named(found, open_) if found else None
    found = art.last_before(cue.start(), floor)
    if found is None:
        found = art.first_after(cue.end(), limit)
    return art.named(found, open_) if found else None


# ---------------------------------------------------------------- entry point


def find_quotations(doc: Doc, mentions: Sequence[MentionLike]) -> list[Quotation]:
    """Return the direct quotations of ``doc`` with their speakers."""
    text = doc.text
    spans = _scan(text)
    art = _Article(doc, mentions, spans, _LANGS.get(doc.lang_, _FRENCH))
    quotations: list[Quotation] = []
    index_of: dict[int, int] = {}
    for k, span in enumerate(spans):
        start, end = _inner(text, span)
        if start >= end:
            continue
        words = len(text[start:end].split())
        short = words < _SCARE_QUOTE_WORDS
        masked = _blank(text, spans, k)
        floor, limit = _bounds(text, spans, k)
        speaker = None
        if not span.unclosed:
            speaker = _after_cue(art, masked, span.close + 1, limit, span.open)
        if speaker is None:
            speaker = _before_cue(art, masked, floor, span.open, short)
        if speaker is None:
            if short:
                continue
            speaker = _previous_speaker(quotations, text, span.open, span.parent, index_of)
        parent = index_of.get(span.parent) if span.parent is not None else None
        index_of[k] = len(quotations)
        quotations.append(
            Quotation(
                start=start,
                end=end,
                text=text[start:end],
                speaker=speaker.name,
                speaker_start=None if speaker.kind == "unknown" else speaker.start,
                speaker_end=None if speaker.kind == "unknown" else speaker.end,
                speaker_kind=speaker.kind,
                mention_index=speaker.mention,
                unclosed=span.unclosed,
                parent=parent,
                organization=speaker.organization,
                organization_index=speaker.organization_index,
            )
        )
    return quotations


def _previous_speaker(
    quotations: list[Quotation], text: str, open_: int, parent: int | None, index_of: dict[int, int]
) -> _Speaker:
    """A quote with no cue continues the previous quotation of its paragraph, if any."""
    paragraph_start = text.rfind("\n", 0, open_) + 1
    wanted_parent = index_of.get(parent) if parent is not None else None
    for q in reversed(quotations):
        if q.parent == wanted_parent and q.start >= paragraph_start and q.speaker_kind != "unknown":
            start, end = q.speaker_start or 0, q.speaker_end or 0
            kind, org, org_i = q.speaker_kind, q.organization, q.organization_index
            return _Speaker(start, end, kind, q.speaker, q.mention_index, org, org_i)
    return _unknown(open_)
