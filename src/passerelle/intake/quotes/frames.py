# ruff: noqa: RUF001  (curly apostrophes and Cyrillic, on purpose)
"""Speech-verb frames around a quote: the sentence it stands in, the verb that governs it
right before it, and the subject of a clause whose verb is coordinated ("..., but warned
X « ... »") or a gerund ("she added, saying « ... »", "утверждая, что « ... »")."""

from __future__ import annotations

import re
from typing import Final

from passerelle.intake.quotes.base import Cues
from passerelle.intake.quotes.speakers import Speaker, Speakers

# Between a verb and the quote it governs: a few words and spaces, no punctuation
# ("il a crié « ... »", "said the news « ... »"); not "a déclaré : «", a comma, a dash.
_IMMEDIATE: Final = re.compile(r"[^\W\d_][\w'’\- \u00a0]{0,28}|[ \u00a0]*")
# Between a subject and its verb: a closing bracket, a parenthesis set off by commas, an
# auxiliary or an adverb ("X (Y) назвало", "он, как сообщается, сообщил", "X has also said").
_SUBJECT_GAP: Final = re.compile(
    r"\s*\)?\s*(?:,[^,.;:!?«»“”\"\n]{1,60},|,)?\s*(?:[^\W\d]{1,10}\s+){0,2}"
)
# Verbs of uttering words (not of naming or judging): their complement is a quotation.
_UTTERANCE: Final = re.compile(
    r"(?:крич|крикн|сказа|заяв|говор|cri[eéa]|hurl|shout|yell|scream|said|say)", re.IGNORECASE
)
# A relative pronoun joining a subject to its verb: "X, который заявил", "X, who said".
_RELATIVE: Final = re.compile(
    r"(?:\s+[^\W\d][\w-]*){0,3}\s*,\s*(?:который|которая|которые|who|qui)\s+", re.IGNORECASE
)
_CONJUNCT: Final = re.compile(r"\s+(?:et|and|и)\s", re.IGNORECASE)
# A channel the subject speaks through is not the subject: "X через агентство Amaq назвало",
# "X, via its agency Amaq, called", "X par l'intermédiaire de son agence Amaq a qualifié".
_VIA: Final = re.compile(
    r"(?:через|via|through|par\s+l['’]interm[ée]diaire\s+d(?:e|u|['’]))\s+"
    r"(?!\d|(?:час|минут|секунд|дн|день|недел|месяц|год|лет|несколько|пару|два|две|три|"
    r"четыре|пять|the\s+night|years?|months?|weeks?|days?)\w*)"
    r"(?:[^\W\d][\w-]*\s+){0,2}$",
    re.IGNORECASE,
)
_PUNCTUATION: Final = re.compile(r"[,;:()«»“”\"]")
_CLAUSE: Final = re.compile(r"\b(?:que|qu['’]|that|что)\b", re.IGNORECASE)
#: Words that join a second verb to the first one's subject: '"...," but warned X'.
CONJUNCTIONS: Final = frozenset({"but", "and", "mais", "et", "puis", "но", "а", "и"})


def sentence_start(lang: Cues, masked: str, floor: int, pos: int) -> int:
    """Return where the sentence holding ``pos`` starts (not before ``floor``)."""
    ends = list(lang.sentence_end.finditer(masked, floor, pos))
    return ends[-1].end() if ends else floor


def immediate_verb(speakers: Speakers, masked: str, floor: int, open_: int) -> bool:
    """Whether a speech verb stands right before the quote in its sentence and governs it
    ("он кричал « ... », заявил прокурор": the shout is his, the report the prosecutor's)."""
    lang = speakers.lang
    start = sentence_start(lang, masked, floor, open_)
    found = speakers.cues(masked, start, open_)
    last = found[-1] if found else None
    if last is None or last["prep"] or last.groupdict().get("poss"):
        return False
    if lang.infinitive.search(last[0]):
        return False  # "pour s'assurer qu'il n'y a pas de « ... », explique X": X speaks
    between = masked[last.end() : open_].strip(" \u00a0\u202f")
    return bool(_IMMEDIATE.fullmatch(between)) and not _CLAUSE.search(between)


def is_gerund(lang: Cues, cue: re.Match[str]) -> bool:
    """Whether the cue's verb is a gerund, whose subject is its clause's subject."""
    verb = cue["verb1"] or cue["verb3"] or ""
    return bool(verb) and bool(lang.gerund.search(verb))


def clause_subject(
    speakers: Speakers, masked: str, floor: int, pos: int, open_: int
) -> Speaker | None:
    """The subject of the sentence holding ``pos``: its first speaker expression (a name, a
    title, a pronoun) before ``pos``, outside quotes, not a place; resolved."""
    start = sentence_start(speakers.lang, masked, floor, pos)
    for c in speakers.candidates:
        if c.start >= pos:
            break
        if c.start < start or c.kind == "communique" or speakers.inside_quote(c.start, c.end):
            continue
        if c.mention is not None and speakers.mentions[c.mention].label == "location":
            continue
        return speakers.named(c, open_)
    return None


def governed_speaker(speakers: Speakers, masked: str, floor: int, open_: int) -> Speaker | None:
    """Who speaks a short quote that a verb earlier in its sentence governs: that verb's
    subject, standing right before it (a pronoun of the verb, the clause's subject for a
    gerund); None when it names nobody ("les autorités qualifient X de « ... »")."""
    lang = speakers.lang
    start = sentence_start(lang, masked, floor, open_)
    cue = _governing_cue(speakers, masked, start, open_)
    if cue is None:
        return None
    if cue["verb3"] and lang.participle.search(cue["verb3"]):
        before = masked[max(start, cue.start() - 30) : cue.start()]
        if lang.passive.search(before):  # "ce qui est décrit comme un « ... »": unnamed
            return Speaker(cue.start(), cue.start(), "unknown", "")
    pro = cue["pro1"] or cue["pro2"]
    if pro and pro.lower() != "on":
        p_start = cue.start("pro1") if cue["pro1"] else cue.start("pro2")
        speaker: Speaker | None = speakers.resolve_pronoun(p_start, p_start + len(pro))
        verb = cue["verb1"] or cue["verb2"] or ""
        if (speaker is None or not speaker.name) and _UTTERANCE.match(verb):
            # "он кричал «…»": words a person uttered, whoever he is; "он назвал это
            # «…»" stays a scare quote
            return Speaker(cue.start(), cue.start(), "unknown", "")
    elif is_gerund(lang, cue) or lang.infinitive.search(cue[0]):
        speaker = clause_subject(speakers, masked, floor, cue.start(), open_)
    else:
        found = speakers.last_before(cue.start(), start)
        if found is None:
            return None
        verb = cue.start()
        found, verb = beyond_channel(speakers, masked, found, start, verb)
        if found is None:
            return None
        head = speakers.apposed_head(found, start, verb)
        if _RELATIVE.fullmatch(masked[found.end : verb]):
            pass  # "a spokesman, who said the plan was «…»": the relative's antecedent
        elif head is found and not _SUBJECT_GAP.fullmatch(masked[found.end : verb]):
            # not the verb's subject: maybe the last of coordinated names
            first = _first_conjunct(speakers, masked, start, cue.start())
            if first is None:
                return None
            head = first
        speaker = speakers.named(head, open_)
    if speaker is None or not speaker.name:
        return None
    # a name the mentions know, or one person's title ("le meurtrier aurait crié « ... »";
    # "Officials called the plan 'reckless'": a group, no source)
    if speaker.mention is not None:
        return speaker
    title = speakers.text[speaker.start : speaker.end].split()
    return speaker if speaker.kind == "title" and not title[-1].endswith(("s", "x")) else None


def beyond_channel(
    speakers: Speakers, masked: str, found: Speaker, floor: int, verb: int
) -> tuple[Speaker | None, int]:
    """The subject a channel stands for, and where its verb phrase starts: "ИГ через
    агентство Amaq назвало" is ИГ, not Amaq (unchanged when no channel precedes)."""
    via = _VIA.search(masked, max(floor, found.start - 40), found.start)
    if via is None:
        return found, verb
    return speakers.last_before(via.start(), floor), via.start()


def _governing_cue(speakers: Speakers, masked: str, start: int, open_: int) -> re.Match[str] | None:
    """The last speech verb before the quote in its sentence, not "selon X" nor a bare
    participle ("cet attentat, qualifié de « ... »": the verb before it governs)."""
    lang = speakers.lang
    cue = None
    for found in speakers.cues(masked, start, open_):
        if found["prep"] or found.groupdict().get("poss"):
            continue
        if found["verb3"] and lang.participle.search(found["verb3"]):
            before = masked[max(start, found.start() - 30) : found.start()]
            if not lang.auxiliary.search(before):
                continue
        cue = found
    return cue


def _first_conjunct(speakers: Speakers, masked: str, start: int, verb: int) -> Speaker | None:
    """A subject of coordinated names ("La maire de Paris X et le Conseil … ont condamné"):
    the first named in full, when no punctuation stands between it and the verb."""
    for c in speakers.candidates:
        if c.start >= verb:
            return None
        if c.start < start or c.kind in ("pronoun", "communique"):
            continue
        if c.kind != "title" and c.mention is None:
            continue  # "Thierry et Véronique Roy": the first named in full
        between = masked[c.end : verb]
        joined = _CONJUNCT.match(between) and not _PUNCTUATION.search(between)
        return c if joined and len(between) <= 80 else None
    return None
