"""The Russian words that trigger facts and shape their reading (lemmas and stems)."""

from __future__ import annotations

from typing import Final

SHARE: Final = frozenset(
    [
        "передать",
        "передавать",
        "предоставить",
        "предоставлять",
        "направить",
        "направлять",
        "переслать",
        "пересылать",
        "поделиться",
        "делиться",
    ]
)
INFORMATION: Final = frozenset(
    ["информация", "данные", "данный", "сведение", "сведения", "разведданные"]
)
ARREST: Final = frozenset(["задержать", "задерживать", "арестовать", "арестовывать"])
PEOPLE: Final = [
    "подозрева",
    "задержанн",
    "человек",
    "мужчин",
    "женщин",
    "житель",
    "гражданин",
    "гражданк",
    "боевик",
    "член",
    "сторонник",
    "террорист",
    "агент",
    "шпион",
    "участник",
    "уроженец",
    "студент",
    "иностранец",
    "пособник",
    "злоумышленник",
    "фигурант",
    "вербовщик",
    "диверсант",
    "экстремист",
    "лиц",
]
SEIZE: Final = frozenset(["изъять", "изымать", "конфисковать"])
PHONE_TALK: Final = frozenset(
    [
        "поговорить",
        "говорить",
        "побеседовать",
        "беседовать",
        "переговорить",
        "пообщаться",
        "общаться",
    ]
)
PHONE_NOUNS: Final = frozenset(["разговор", "переговоры", "переговор", "беседа"])
PRAISE: Final = frozenset(["поблагодарить", "благодарить", "похвалить"])
STATEMENT: Final = frozenset({"заявить"})
PLAN: Final = frozenset(
    [
        "готовить",
        "подготовить",
        "планировать",
        "спланировать",
        "замышлять",
        "готовиться",
        "собираться",
    ]
)
CARRY_OUT: Final = frozenset(["совершить", "совершать", "осуществить", "осуществлять", "устроить"])
ATTACK_NOUNS: Final = {
    "теракт": "180",
    "нападение": "180",
    "атака": "180",
    "диверсия": "180",
    "взрыв": "183",
    "покушение": "186",
    "похищение": "181",
}
ATTACK_VERBS: Final = {
    "взорвать": "183",
    "подорвать": "183",
    "напасть": "180",
    "атаковать": "180",
    "похитить": "181",
}
BOMB_WORDS: Final = ("взрыв", "бомб", "смертник", "сву", "самодельн")
PRONOUNS: Final = frozenset({"он", "она", "они"})
# Every lemma a verb (or participle) may trigger a fact with: a sentence with none of them
# has no fact, and is not parsed (see :class:`..reader.Reader`).
TRIGGERS: Final = (
    SHARE
    | ARREST
    | {"взять", "заключить", "провести", "проводить", "созвониться"}
    | SEIZE
    | PHONE_TALK
    | PRAISE
    | STATEMENT
    | PLAN
    | CARRY_OUT
    | frozenset(ATTACK_VERBS)
)
TRIGGER_POS: Final = frozenset({"VERB", "AUX", "ADJ"})
# What else a sentence must hold for a trigger to fire there (:mod:`.triggers`): the start
# of a word whose lemma the rule asks for (sharing: an information noun; "взять под
# стражу"; a call "по телефону" or a "телефонный разговор"; planning or carrying out: an
# attack noun). A trigger not listed needs nothing more. Without one, the sentence is not
# parsed (:class:`.reader.Reader`).
_INFORMATION_STEMS: Final = ("информаци", "данн", "сведени", "разведданн")
_ATTACK_STEMS: Final = ("теракт", "нападени", "атак", "диверси", "взрыв", "покушени", "похищени")
NEEDS: Final[dict[str, tuple[str, ...]]] = {
    **dict.fromkeys(SHARE, _INFORMATION_STEMS),
    **dict.fromkeys(("взять", "заключить"), ("страж",)),
    **dict.fromkeys(("провести", "проводить", *PHONE_TALK), ("телефон",)),
    **dict.fromkeys(PLAN | CARRY_OUT, _ATTACK_STEMS),
}
