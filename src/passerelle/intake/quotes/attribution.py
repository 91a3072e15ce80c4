# ruff: noqa: RUF001, RUF003  (guillemets, curly quotes, dashes and Cyrillic, on purpose)
"""Who said each quotation: the speech cue after the quote, else before it, else the
previous quotation's speaker in its paragraph."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from passerelle.intake.model import doc_text
from passerelle.intake.quotes.base import Cues, MentionLike, Quotation
from passerelle.intake.quotes.frames import (
    CONJUNCTIONS,
    beyond_channel,
    clause_subject,
    governed_speaker,
    immediate_verb,
    is_gerund,
    sentence_start,
)
from passerelle.intake.quotes.marks import SPACES, blank_siblings, bounds, inner, scan
from passerelle.intake.quotes.speakers import Speaker, Speakers

if TYPE_CHECKING:
    from spacy.tokens import Doc

_SCARE_QUOTE_WORDS: Final = 4
_SHORT_BEFORE_REACH: Final = 30
# A verb followed by a subordinate clause reports that clause, not the quote before it.
_CLAUSE_AFTER: Final = re.compile(r"\s+(?:que\b|qu['’]|that\b|что\b)", re.IGNORECASE)
# What may stand between the comma and a cue: an auxiliary (", a déclaré", ", has said").
# Nothing, or one auxiliary, between the closing mark and the cue: « ... » a déclaré X.
_AUX_ONLY: Final = re.compile(r"\s*(?:(?:a|ont|avait|avaient|aurait|has|had|have)\s+)?")
_COMMA_AUX: Final = re.compile(
    r",\s*(?:\w{1,5}\s+)?$"
)  # for a short quote, a cue before it must be this close


def quotations_in(doc: Doc, mentions: Sequence[MentionLike], cues: Cues) -> list[Quotation]:
    """Return the direct quotations of ``doc`` with their speakers, read with ``cues``."""
    text = doc_text(doc)
    spans = scan(text, singles=cues.single_quotes)
    speakers = Speakers(doc, mentions, spans, cues)
    quotations: list[Quotation] = []
    index_of: dict[int, int] = {}
    masks: dict[int | None, str] = {}  # siblings share one masked text: made once
    for k, span in enumerate(spans):
        start, end = inner(text, span)
        if start >= end:
            continue
        masked = masks.get(span.parent)
        if masked is None:
            masked = masks[span.parent] = blank_siblings(text, spans, k)
        floor, limit = bounds(text, spans, k)
        speaker = None
        if not span.unclosed and not immediate_verb(speakers, masked, floor, span.open):
            speaker = _after_cue(speakers, masked, span.outer_end, limit, span.open, floor)
        if speaker is None:
            if _is_charge(cues, masked, floor, span.open, text[start:end]):
                continue  # a legal charge named, not a quotation
            short = _short_kind(speakers, masked, floor, span.open, (start, end))
            if short == "scare":
                continue
            if short == "governed":
                speaker = governed_speaker(speakers, masked, floor, span.open)
                if speaker is None:
                    continue  # "les autorités qualifient X de « ... »": a scare quote
            else:
                speaker = _before_cue(speakers, masked, floor, span.open, short != "")
            if speaker is None and short == "near":
                continue
            if speaker is None:
                speaker = _sentence_subject(speakers, masked, floor, span.open)
        if speaker is None:
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
    return _joined(quotations, text)


def _joined(quotations: list[Quotation], text: str) -> list[Quotation]:
    """A quote with no speaker joined to the next one by "et" or a comma takes its speaker:
    « ... » et « ... », ajoute X."""
    for k in range(len(quotations) - 2, -1, -1):
        q, nxt = quotations[k], quotations[k + 1]
        between = text[q.end : nxt.start].strip(SPACES + "«»“”\"',")
        if (
            q.speaker_kind == "unknown"
            and nxt.speaker_kind != "unknown"
            and between in ("et", "and", "и", "")
        ):
            quotations[k] = replace(
                q,
                speaker=nxt.speaker,
                speaker_start=nxt.speaker_start,
                speaker_end=nxt.speaker_end,
                speaker_kind=nxt.speaker_kind,
                mention_index=nxt.mention_index,
                organization=nxt.organization,
                organization_index=nxt.organization_index,
            )
    return quotations


def _short_kind(
    speakers: Speakers, masked: str, floor: int, open_: int, inner: tuple[int, int]
) -> str:
    """What a quote is by its length and frame: "" (four words or more, a quotation),
    "scare" (a scare quote or a name in quotes), "near" (short, opening its sentence or
    after a colon: a cue must be close), "attributed" (:attr:`~.base.Cues.short_cue`) or
    "governed" (a speech verb earlier in its sentence has it as complement: "il a crié
    « ... »", "qualifie cette attaque de « ... »", "called them 'cowards'")."""
    cues, text = speakers.lang, speakers.text
    if len(text[inner[0] : inner[1]].split()) >= _SCARE_QUOTE_WORDS:
        return ""
    if speakers.names_in_quote(inner[0], inner[1]):
        return "scare"  # « État islamique », the newspaper « Аль-Наба »
    if _attributed_short(cues, masked, floor, open_):
        return "attributed"
    if _stands_alone(cues, masked, floor, open_):
        return "near"
    return "governed" if _governed(speakers, masked, floor, open_) else "scare"


def _governed(speakers: Speakers, masked: str, floor: int, open_: int) -> bool:
    """Whether a speech verb earlier in the quote's sentence has it in its frame: a verb
    (not "selon X", "according to X"), and in French not a bare participle ("une attaque
    qualifiée de « ... »" has no speaker: a scare quote)."""
    cues = speakers.lang
    ends = list(cues.sentence_end.finditer(masked, floor, open_))
    start = ends[-1].end() if ends else floor
    for cue in speakers.cues(masked, start, open_):
        if cue["prep"] or cue.groupdict().get("poss"):
            continue
        before = masked[max(start, cue.start() - 30) : cue.start()]
        participle = cue["verb3"] and cues.participle.search(cue["verb3"])
        if participle and not cues.auxiliary.search(before):
            continue
        return True
    return False


def _attributed_short(cues: Cues, masked: str, floor: int, open_: int) -> bool:
    """Whether a short quote inside its sentence is one the text attributes: "a fait part
    d'un « énorme choc »" (:attr:`~.base.Cues.short_cue`)."""
    ends = list(cues.sentence_end.finditer(masked, floor, open_))
    sentence_start = ends[-1].end() if ends else floor
    return bool(cues.short_cue.search(masked[sentence_start:open_]))


def _sentence_subject(speakers: Speakers, masked: str, floor: int, open_: int) -> Speaker | None:
    """A quote with no speech cue, after its sentence's subject: "L'imam, X, est « ... »",
    "X émet un tweet : « ... »". The first speaker expression of the sentence before it."""
    ends = list(speakers.lang.sentence_end.finditer(masked, floor, open_))
    start = ends[-1].end() if ends else floor
    if not masked[start:open_].strip(SPACES + "\n—–-"):
        return None
    found: list[Speaker] = []
    for c in speakers.candidates:
        if c.start >= open_:
            break
        if c.start < start or speakers.inside_quote(c.start, c.end) or c.kind == "communique":
            continue
        if c.mention is None or speakers.mentions[c.mention].label != "location":
            found.append(speakers.named(c, open_))
    persons = [f for f in found if f.kind == "person"]
    return persons[-1] if persons else (found[0] if found else None)


def _is_charge(cues: Cues, masked: str, floor: int, open_: int, quoted: str) -> bool:
    """Whether a quote names a legal charge: "pour « association de malfaiteurs... »"."""
    before = masked[max(floor, open_ - 60) : open_]
    return bool(cues.charge_before.search(before) and cues.charge_words.match(quoted))


def _stands_alone(cues: Cues, masked: str, floor: int, open_: int) -> bool:
    """Whether a short quote (under four words) may be a quotation: it opens its sentence,
    or a colon introduces it ("il a répondu : « Jamais »"); elsewhere it is a scare quote
    ("ses « amis » sur Telegram", "a dénoncé des « mensonges »")."""
    ends = list(cues.sentence_end.finditer(masked, floor, open_))
    sentence_start = ends[-1].end() if ends else floor
    lead = masked[sentence_start:open_].strip(SPACES + "\n—–-")
    return not lead or lead.endswith(":")


def _previous_speaker(
    quotations: list[Quotation], text: str, open_: int, parent: int | None, index_of: dict[int, int]
) -> Speaker:
    """A quote with no cue continues the previous quotation of its paragraph, if any."""
    paragraph_start = text.rfind("\n", 0, open_) + 1
    wanted_parent = index_of.get(parent) if parent is not None else None
    for q in reversed(quotations):
        if q.parent == wanted_parent and q.start >= paragraph_start and q.speaker_kind != "unknown":
            start, end = q.speaker_start or 0, q.speaker_end or 0
            kind, org, org_i = q.speaker_kind, q.organization, q.organization_index
            return Speaker(start, end, kind, q.speaker, q.mention_index, org, org_i)
    return _unknown(open_)


def _after_cue(
    speakers: Speakers, masked: str, close: int, limit: int, open_: int, floor: int
) -> Speaker | None:
    window_end = limit
    lang = speakers.lang
    end = lang.sentence_end.search(masked, close, limit)
    if end:
        window_end = end.start()
    for cue in lang.cue.finditer(masked, close, window_end):
        lead = masked[close : cue.start()].lstrip(SPACES)
        # the comma before an inverted attribution sits outside the marks, or inside in
        # English style (“..., ” he said)
        inside = speakers.text[:close].rstrip(SPACES + "»”“›\"'").endswith((",", "!", "?"))
        # « ... » en France, a déclaré X: a few words, then the comma and the cue
        led = bool(_COMMA_AUX.search(lead)) and len(lead) <= lang.after_reach
        # « ... » a déclaré X, « ... » clame-t-il: the cue right after the closing mark
        bare = bool(_AUX_ONLY.fullmatch(lead))
        if not (inside or led or bare or lead.startswith((",", "—", "–", "("))):
            break
        if len(lead.strip(" ,;:—–(-\u00a0\u202f")) > lang.after_reach:
            break
        if _CLAUSE_AFTER.match(masked, cue.end()):
            break  # « ... », X rapportent que ...: the verb reports what follows
        if lead.strip(" ,").lower() in CONJUNCTIONS or is_gerund(lang, cue):
            # '"...," but warned', '"...," she added, saying': the sentence's subject
            speaker = clause_subject(speakers, masked, floor, open_, open_)
            return speaker or _unknown(cue.start())
        speaker = _speaker_for(speakers, cue, window_end, open_, after=True, floor=close)
        return speaker or _unknown(cue.start())
    return None


def _before_cue(
    speakers: Speakers, masked: str, floor: int, open_: int, short: bool
) -> Speaker | None:
    start = sentence_start(speakers.lang, masked, floor, open_)
    cues = speakers.cues(masked, start, open_)
    # "Selon X, ...", "По словам X, ...", "According to X, ...": a source opening the
    # sentence speaks every quote of it that no verb right before claims
    opening = (
        cues[0]
        if cues and cues[0]["prep"] and not masked[start : cues[0].start()].strip()
        else None
    )
    for cue in reversed(cues):
        if (
            cue["prep"]
            and cue["prep"].lower() == "pour"
            and not _leads_sentence(masked, start, cue, open_)
        ):
            continue
        far = open_ - cue.end() > _SHORT_BEFORE_REACH
        if short and far:
            return None
        if far and opening is not None and cue is not opening:
            cue = opening
        if is_gerund(speakers.lang, cue):  # "..., утверждая, что « ... »": the subject's
            speaker = clause_subject(speakers, masked, floor, cue.start(), open_)
        else:
            speaker = _speaker_for(speakers, cue, open_, open_, after=False, floor=start)
        return speaker or _unknown(cue.start())
    return None


def _leads_sentence(masked: str, start: int, cue: re.Match[str], open_: int) -> bool:
    """Whether "pour X," opens the sentence right before the quote, as in "Pour X, «"."""
    return not masked[start : cue.start()].strip() and masked[:open_].rstrip().endswith(",")


def _unknown(pos: int) -> Speaker:
    return Speaker(pos, pos, "unknown", "")


def _speaker_for(
    speakers: Speakers, cue: re.Match[str], limit: int, open_: int, *, after: bool, floor: int = 0
) -> Speaker | None:
    if cue.groupdict().get("poss"):  # "по его словам": the pronoun's person
        return speakers.resolve_pronoun(cue.start("poss"), cue.end("poss"))
    pro = cue["pro1"] or cue["pro2"]
    verb = (cue["verb1"] or cue["verb2"] or "").lower()
    if pro and pro.lower() == "on":
        if verb in ("lit", "lire", "lu"):
            doc_np = speakers.first_after(cue.end(), limit)
            if doc_np is not None:
                return speakers.resolve_document(doc_np, open_)
            return Speaker(cue.start(), cue.end(), "communique", "")
        found = speakers.first_after(cue.end(), limit)
        return speakers.named(found, open_) if found else None
    if pro:
        p_start = cue.start("pro1") if cue["pro1"] else cue.start("pro2")
        return speakers.resolve_pronoun(p_start, p_start + len(pro))
    if cue["prep"]:
        found = speakers.first_after(cue.end(), limit)
        return speakers.named(found, open_) if found else None
    if after:
        found = None
        if speakers.lang.speaker_before_verb:  # "..., the FSB said", "..., Peskov told reporters"
            found = speakers.last_before(cue.start(), floor)
            if found is not None:
                found = speakers.apposed_head(found, floor, cue.start())
        found = found or speakers.first_after(cue.end(), limit)
        return speakers.named(found, open_) if found else None
    found = speakers.last_before(cue.start(), floor)
    verb = cue.start()
    if found is not None:
        found, verb = beyond_channel(speakers, speakers.text, found, floor, verb)
    if found is not None:
        found = speakers.apposed_head(found, floor, verb)
    else:
        found = speakers.first_after(cue.end(), limit)
    return speakers.named(found, open_) if found else None
