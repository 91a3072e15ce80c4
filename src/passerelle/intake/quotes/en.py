# ruff: noqa: RUF001  (guillemets, curly quotes and dashes, on purpose)
"""English speech cues and speaker expressions: "..., he said", "..., the FSB said in a
statement", "..., said Mr X", "X told reporters: ...", "According to X, ...", "..., the
statement read"."""

from __future__ import annotations

import re

from passerelle.intake.quotes.base import Cues, words

_EN_VERB = (
    r"(?:said|says|told|tells|added|adds|stated|states|noted|notes|explained|warned|warns|"
    r"insisted|claimed|claims|stressed|stresses|wrote|writes|declared|announced|asserted|"
    r"confirmed|replied|continued|argued|tweeted|posted|remarked|observed|acknowledged|"
    r"admitted|denied|conceded|recalled|reads|read|responded|responds|vowed|urged|"
    r"commented|comments|sighed|sighs|shouted|shouts|yelled|cried|exclaimed|praised|praises|"
    r"testified|described|describes|called|calls|branded|labell?ed|condemned|condemns|"
    r"critici[sz]ed|insists|thought|"
    r"saying|adding|telling|stating|describing|calling|warning|claiming|insisting|noting)"
)
_EN_PRONOUN = r"(?:he|she|they|it)"
_EN_TITLES = words(
    "spokesman spokeswoman spokesperson minister president director chief head secretary "
    "ambassador prosecutor general colonel commander official officer adviser advisor "
    "representative diplomat source investigator expert analyst researcher governor envoy "
    "negotiator chancellor mayor senator lawmaker aide"
)
_EN_DOCUMENTS = "statement communique communiqué release report document note letter post"
#: The cues and speaker expressions of English.
CUES = Cues(
    # A verb is lower case: "United States" and "Said Mohammed" are names.
    cue=re.compile(
        rf"(?<![\w-])(?:"
        rf"(?P<pro1>(?i:{_EN_PRONOUN}))(?:\s+(?:also|later|then|had|has))?\s+(?P<verb1>{_EN_VERB})"
        rf"|(?P<verb2>said|says)\s+(?P<pro2>he|she)"
        rf"|(?P<prep>(?i:according)\s+to)"
        rf"|(?P<verb3>{_EN_VERB})"
        rf")(?![\w])"
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
    single_quotes=True,
    charge_before=re.compile(r"\b(?:for|of|with|charges?|counts?|and|or)\s*:?\s*$", re.IGNORECASE),
    charge_words=re.compile(
        r"(?:conspiracy|conspiring|providing|material\s+support|attempted|attempting|murder|"
        r"possession|preparation|preparing|acts?\s+of\s+terrorism|terrorism|espionage|"
        r"treason|money\s+laundering|membership|dissemination)\b",
        re.IGNORECASE,
    ),
    gerund=re.compile(r"ing$"),
    name_nouns=re.compile(
        r"\b(?:newspaper|magazine|journal|film|movie|book|operation|group|organi[sz]ation|"
        r"website|site|account|channel|programme|program|show|network|agency|video|song)s?"
        r"\s*$",
        re.IGNORECASE,
    ),
)
