"""The English words that trigger facts and shape their reading (word forms)."""

from __future__ import annotations

import re
from typing import Final

PREPOSITIONS: Final = frozenset(
    [
        "in",
        "at",
        "on",
        "from",
        "of",
        "to",
        "with",
        "by",
        "for",
        "near",
        "into",
        "over",
        "under",
        "about",
        "after",
        "during",
        "against",
        "across",
        "inside",
        "outside",
        "between",
    ]
)
BE: Final = frozenset(["was", "were", "is", "are", "been", "being", "be"])
AUX: Final = frozenset(
    [
        "has",
        "have",
        "had",
        "was",
        "were",
        "is",
        "are",
        "been",
        "be",
        "also",
        "reportedly",
        "allegedly",
    ]
)
PRONOUNS: Final = frozenset({"he", "she", "it", "they"})
NEGATIONS: Final = frozenset({"not", "n't", "never", "no"})
STOP: Final = frozenset(
    [
        "who",
        "which",
        "that",
        "and",
        "but",
        "while",
        "when",
        "after",
        "before",
        "because",
        "as",
        ",",
        ";",
        ":",
        ".",
        "(",
        ")",
        "--",
        "—",
        "\u2013",
    ]
)
ARREST: Final = re.compile(r"(?:arrest|detain|apprehend|captur)(?:s|es|ed|ing|e|d)?$")
ARREST_NOUNS: Final = frozenset({"arrest", "arrests", "detention"})
PEOPLE: Final = frozenset(
    [
        "man",
        "men",
        "woman",
        "women",
        "person",
        "people",
        "suspect",
        "suspects",
        "member",
        "members",
        "militant",
        "militants",
        "citizen",
        "citizens",
        "national",
        "nationals",
        "spy",
        "spies",
        "agent",
        "agents",
        "officer",
        "officers",
        "soldier",
        "soldiers",
        "fighter",
        "fighters",
        "supporter",
        "supporters",
        "terrorist",
        "terrorists",
        "operative",
        "operatives",
        "leader",
        "leaders",
        "resident",
        "residents",
        "student",
        "students",
        "individual",
        "individuals",
        "cell",
        "accomplice",
        "accomplices",
        "recruiter",
        "recruiters",
    ]
)
SHARE: Final = frozenset(
    [
        "share",
        "shares",
        "shared",
        "sharing",
        "pass",
        "passes",
        "passed",
        "passing",
        "provide",
        "provides",
        "provided",
        "providing",
        "give",
        "gives",
        "gave",
        "given",
        "hand",
        "hands",
        "handed",
        "send",
        "sends",
        "sent",
        "transmit",
        "transmitted",
        "supply",
        "supplies",
        "supplied",
        "forward",
        "forwarded",
        "relay",
        "relayed",
    ]
)
SHARE_IF_NAMED: Final = frozenset(["warned", "alerted", "warns", "alerts", "tipped"])
INFORMATION: Final = frozenset(
    [
        "information",
        "intelligence",
        "data",
        "details",
        "tip",
        "tips",
        "tip-off",
        "warning",
        "warnings",
    ]
)
PRAISE: Final = frozenset(
    ["thank", "thanks", "thanked", "praise", "praised", "praises", "commended", "hailed"]
)
TALK: Final = frozenset(["spoke", "speaks", "talked", "talks", "held", "holds", "had", "discussed"])
PHONE: Final = frozenset({"phone", "telephone"})
CALL: Final = frozenset({"phoned", "telephoned", "rang"})
SEIZE: Final = frozenset(
    ["seize", "seizes", "seized", "seizing", "confiscate", "confiscated", "confiscates"]
)
STATEMENT: Final = frozenset(["said", "announced", "stated", "declared", "says", "announces"])
PLAN: Final = frozenset(
    [
        "plot",
        "plots",
        "plotted",
        "plotting",
        "plan",
        "plans",
        "planned",
        "planning",
        "prepare",
        "prepared",
        "preparing",
        "prepares",
        "conspired",
        "conspiring",
        "intended",
    ]
)
CARRY_OUT: Final = frozenset(
    [
        "carried",
        "carry",
        "carries",
        "committed",
        "commit",
        "staged",
        "stage",
        "launched",
        "launch",
        "conducted",
        "perpetrated",
    ]
)
ATTACK_VERBS: Final = {
    "bomb": "183",
    "bombed": "183",
    "blow": "183",
    "attack": "180",
    "attacked": "180",
    "assassinate": "186",
    "assassinated": "186",
    "kidnap": "181",
    "kidnapped": "181",
    "abduct": "181",
    "abducted": "181",
}
ATTACK_NOUNS: Final = {
    "attack": "180",
    "attacks": "180",
    "assault": "180",
    "bombing": "183",
    "bombings": "183",
    "assassination": "186",
    "kidnapping": "181",
    "abduction": "181",
}
BOMB_WORDS: Final = frozenset(["bomb", "bombs", "explosive", "explosives", "suicide", "car-bomb"])
