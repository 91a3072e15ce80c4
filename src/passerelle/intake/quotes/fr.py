# ruff: noqa: RUF001  (guillemets, curly quotes and dashes, on purpose)
"""French speech cues and speaker expressions: ", a-t-il dit", ", a déclaré M. X", "selon
X", ", lit-on dans ce texte"; titles ("le porte-parole du Kremlin") and documents ("le
communiqué du FSB")."""

from __future__ import annotations

import re

from passerelle.intake.quotes.base import Cues, words


def _er_forms(verb: str) -> list[str]:
    s = verb[:-2]
    return [s + e for e in ("e", "ent", "é", "ée", "és", "ées", "ait", "aient", "a", "era", "er")]


_ER_VERBS = words(
    "déclarer affirmer annoncer souligner préciser ajouter expliquer estimer indiquer "
    "confier lancer dénoncer assurer raconter insister confirmer nier répliquer exclamer "
    "accuser ironiser tonner fustiger noter observer résumer témoigner relever avancer "
    "regretter déplorer commenter avouer clamer proclamer rétorquer plaider glisser souffler "
    "lâcher certifier signaler mentionner tweeter demander interroger inquiéter "
    "féliciter alerter prédire martel rappel remercier saluer évoquer qualifier condamner "
    "appeler parler crier hurler rapporter penser"
)
_IRREGULAR = words(
    "dit disent disait disaient dira dire écrit écrivent écrivait écrite écrire lit lisent "
    "lu lisait lire répond répondent répondu répondait répondre reconnaît reconnait "
    "reconnaissent reconnu reconnaissait reconnaître poursuit poursuivent poursuivi "
    "poursuivait conclut conclu concluait admet admis admettait promet promis soutient "
    "soutenu soutenait prévient prévenu prévenait avertit averti avertissait réagit réagi "
    "réagissait dément démenti démentait martèle martelé martelait rappelle rappelé "
    "rappelait répète répété répétait annonçait annonça lança lançait menace menacé "
    "menaçait juge jugé jugeait résume appelle appellent décrit décrivent décrivait décrite "
    "croit croient croyait"
)
_FORMS = sorted(
    {f for v in _ER_VERBS if v.endswith("er") for f in _er_forms(v)} | set(_IRREGULAR),
    key=len,
    reverse=True,
)
# "a fait part de sa « ... »": a cue of two words
_VERB = r"(?:fai(?:t|sait|saient)\s+part|" + "|".join(_FORMS) + r")"
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

_TITLES = words(
    "porte-parole premier ministre président présidente vice-président directeur directrice "
    "chef cheffe secrétaire ambassadeur ambassadrice procureur procureure général colonel "
    "commandant responsable conseiller conseillère dirigeant dirigeante maire député "
    "députée sénateur sénatrice juge avocat avocate patron patronne représentant "
    "représentante diplomate source officiel enquêteur enquêtrice expert experte analyste "
    "chercheur chercheuse commissaire préfet préfète chancelier chancelière gouverneur "
    "émissaire négociateur spécialiste imam recteur archevêque évêque pape leader meurtrier "
    "assaillant agresseur tueur tireur suspect"
)
# Titles of two words, tried before their parts ("le Premier ministre", not "le Premier").
_TITLE_PAIRS = ["premier ministre", "première ministre", "garde des sceaux"]
_TITLE_ALTERNATION = "|".join([p.replace(" ", r"\s+") for p in _TITLE_PAIRS] + _TITLES)
_DOCUMENTS = words(
    "communiqué texte déclaration rapport document note message lettre courrier publication "
    "tweet billet vidéo enregistrement"
)
_NATIONALITY = (
    "russe russes français française ukrainien ukrainienne américain américaine "
    "britannique allemand allemande chinois chinoise biélorusse européen européenne "
    "iranien iranienne syrien syrienne turc turque adjoint adjointe général générale "
    "irakien irakienne belge afghan afghane"
)
_DET = r"(?:le|la|les|l['’]|un|une|des|ce|cet|cette|ces|son|sa|ses|leur|leurs)"
_COMPLEMENT = (
    r"(?:\s+(?:" + "|".join(_NATIONALITY.split()) + r"))?"
    r"(?:\s+(?:du|des|de\s+la|de\s+l['’]|de|d['’])\s*[\w’'-]+(?:\s+[A-ZÉÈ][\w’'-]*)*"
    r"(?:\s+(?:" + "|".join(_NATIONALITY.split()) + r"))?){0,2}"
)
_TITLE_NP = re.compile(
    rf"(?<![\w])(?i:{_DET}\s*(?:(?:nouveau|nouvelle|ancien|ancienne|haut|haute)\s+)?"
    rf"(?:{_TITLE_ALTERNATION})s?)"
    rf"(?![\w-]){_COMPLEMENT}"
)
_DOCUMENT_NP = re.compile(
    rf"(?<![\w])(?i:{_DET}\s*(?:{'|'.join(_DOCUMENTS)})s?)(?![\w-]){_COMPLEMENT}"
)
_BARE_PRONOUN = re.compile(r"(?<![\w-])(?:il|elle|ils|elles)(?![\w-])", re.IGNORECASE)
_HONORIFIC = re.compile(r"(?:\bM\.|\bMM\.|\bMme|\bMlle|\bMe|\bDr|\bPr)\s*$")
_SENTENCE_END = re.compile(r"(?<!\bM)(?<!\bMM)(?<!\bMme)(?<!\bDr)(?<!\b[A-Z])[.!?…](?=\s)")


_ORG_OF = re.compile(r"(?:du|de\s+la|de\s+l['’]|des|de|d['’])\s*([A-ZÉ][\w’'-]*)")

#: The cues and speaker expressions of French.
CUES = Cues(
    _CUE,
    _TITLE_NP,
    _DOCUMENT_NP,
    _BARE_PRONOUN,
    _HONORIFIC,
    _SENTENCE_END,
    _ORG_OF,
    re.compile(r"\s*,?\s*"),  # "le procureur, Jean Dupont" and "le procureur Jean Dupont"
    charge_before=re.compile(
        r"(?:\b(?:pour|chefs?\s+d['’]|chefs?\s+de|de|d['’]|des|du|et|ou)|:)\s*$", re.IGNORECASE
    ),
    charge_words=re.compile(
        r"(?:association|apologie|entreprise|financement|complicité|provocation|tentative|"
        r"assassinats?|meurtres?|détention|participation|fabrication|acquisition|recel|"
        r"enlèvement|séquestration|atteinte|intelligence|trahison|espionnage|"
        r"actes?\s+de\s+terrorisme|terrorisme)\b",
        re.IGNORECASE,
    ),
    short_cue=re.compile(
        r"(?:fai(?:t|sait|saient)\s+part\s+(?:d['’]\s*\w+|de\s+\w+)"
        r"|(?:indiqu|déclar|affirm|estim|expliqu|assur|précis|annonc)\w*\s+que\b[^«»\n]{0,30}"
        r"|condamn\w*(?:\s+\w+)?\s+(?:ce|cet|cette|ces|un|une|le|la|les|l['’])"
        r"|(?:évoqu|parl)\w*\s+(?:d['’]\s*\w+|de\s+\w+|un|une|des))\s*$",
        re.IGNORECASE,
    ),
    title_words=frozenset(_TITLES),
    passive=re.compile(
        r"\b(?:est|sont|était|étaient|été|fut|furent)(?:\s+\w+)?\s+$", re.IGNORECASE
    ),
    infinitive=re.compile(r"(?:er|ire|dre|aître)$", re.IGNORECASE),
    participle=re.compile(r"(?:é|ée|és|ées)$", re.IGNORECASE),
    auxiliary=re.compile(
        r"\b(?:a|ont|avait|avaient|aurait|auraient|ait|aient|est|sont|était|étaient|été|eu)"
        r"(?:\s+\w+)?\s+$",
        re.IGNORECASE,
    ),
    name_nouns=re.compile(
        r"\b(?:journal|quotidien|hebdomadaire|magazine|revue|film|livre|ouvrage|émission|"
        r"opération|groupe|organisation|mouvement|site|compte|chaîne|agence|association|"
        r"brigade|réseau|bataillon|magazine|vidéo|chanson)s?\s*$",
        re.IGNORECASE,
    ),
)
