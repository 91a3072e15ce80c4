# ruff: noqa: RUF001  (Cyrillic letters, guillemets and dashes, on purpose)
"""Russian speech cues and speaker expressions: "«...», — заявил Песков", "как заявил X",
"по словам X", "говорится в сообщении ФСБ", "пресс-секретарь Кремля Дмитрий Песков",
"сказал он"."""

from __future__ import annotations

import re

from passerelle.intake.quotes.base import Cues, words

_RU_PAST = words(
    "заяви сказа сообщи отмети добави подчеркну поясни указа уточни написа призна "
    "рассказа предупреди завери констатирова ответи прокомментирова заключи резюмирова "
    "добавля говори сообща"
)
_RU_PRESENT = words(
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
#: The cues and speaker expressions of Russian.
CUES = Cues(
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
    charge_before=re.compile(
        r"(?:\b(?:по\s+стать[еяи]\w*(?:\s+[\w.-]+){0,3})|:)\s*$", re.IGNORECASE
    ),
    charge_words=re.compile(
        r"(?:участие|содействие|организаци|публичные\s+призывы|оправдание|государственная\s+"
        r"измена|госизмена|шпионаж|террористическ|незаконн|приготовление|покушение|"
        r"прохождение\s+обучения)",
        re.IGNORECASE,
    ),
)
