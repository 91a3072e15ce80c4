"""The French words that trigger facts and shape their reading (lemmas)."""

from __future__ import annotations

from typing import Final

SHARE_IF_INFORMATION: Final = frozenset(
    [
        "transmettre",
        "communiquer",
        "livrer",
        "fournir",
        "partager",
        "remettre",
        "donner",
        "échanger",
        "envoyer",
    ]
)
SHARE_ALWAYS: Final = frozenset({"renseigner"})
SHARE_IF_NAMED: Final = frozenset(["informer", "alerter", "avertir", "prévenir"])
INFORMATION: Final = frozenset(
    [
        "information",
        "renseignement",
        "tuyau",
        "alerte",
        "donnée",
        "indication",
        "signalement",
        "avertissement",
        "élément",
    ]
)
ARREST: Final = frozenset(
    ["arrêter", "interpeller", "appréhender", "détenir", "capturer", "incarcérer", "écrouer"]
)
ARREST_NOUNS: Final = frozenset({"arrestation", "interpellation"})
PEOPLE: Final = frozenset(
    [
        "personne",
        "individu",
        "suspect",
        "homme",
        "femme",
        "jeune",
        "membre",
        "militant",
        "djihadiste",
        "jihadiste",
        "terroriste",
        "complice",
        "ressortissant",
        "citoyen",
        "espion",
        "agent",
        "officier",
        "soldat",
        "militaire",
        "combattant",
        "partisan",
        "activiste",
        "opposant",
        "journaliste",
        "chef",
        "responsable",
        "dirigeant",
        "adolescent",
        "mineur",
        "étudiant",
        "auteur",
        "commanditaire",
        "cellule",
        "groupe",
        "réseau",
        "trafiquant",
        "passeur",
        "islamiste",
        "radical",
        "pirate",
        "informateur",
        "frère",
        "fils",
        "ami",
        "proche",
        "collaborateur",
        "employé",
        "ingénieur",
        "diplomate",
        "ministre",
        "député",
        "général",
        "colonel",
        "homme-là",
    ]
)
SEIZE: Final = frozenset({"saisir", "confisquer"})
SEIZE_NOUNS: Final = frozenset({"saisie", "confiscation"})
NOT_SEIZED: Final = frozenset(
    [
        "justice",
        "occasion",
        "chance",
        "tribunal",
        "cour",
        "conseil",
        "parquet",
        "juge",
        "opportunité",
        "importance",
        "sens",
        "enjeu",
        "balle",
        "perche",
        "instance",
        "commission",
        "autorité",
        "médiateur",
        "défenseur",
    ]
)
PHONE_VERBS: Final = frozenset(
    ["entretenir", "parler", "échanger", "discuter", "converser", "appeler", "joindre"]
)
PHONE_NOUNS: Final = frozenset(["entretien", "appel", "conversation", "échange", "discussion"])
PRAISE: Final = frozenset({"remercier", "féliciter", "saluer"})
STATEMENT: Final = frozenset({"déclarer", "annoncer", "affirmer"})
PLAN: Final = frozenset(
    ["préparer", "projeter", "planifier", "fomenter", "organiser", "envisager", "comploter"]
)
CARRY_OUT: Final = frozenset(
    ["commettre", "perpétrer", "mener", "lancer", "réaliser", "orchestrer", "revendiquer"]
)
PLAN_NOUNS: Final = frozenset({"projet", "plan", "préparation", "complot", "planification"})
ATTACK_NOUNS: Final = {
    "attentat": "180",
    "attaque": "180",
    "attentat-suicide": "183",
    "assassinat": "186",
    "enlèvement": "181",
    "rapt": "181",
}
BOMB_WORDS: Final = frozenset(
    ["bombe", "explosif", "suicide", "kamikaze", "piégé", "piéger", "engin"]
)
ATTACK_VERBS: Final = {
    "attaquer": "180",
    "assassiner": "186",
    "enlever": "181",
    "kidnapper": "181",
    "séquestrer": "181",
}
SUPPORT_VERBS: Final = frozenset(
    ["procéder", "mener", "effectuer", "opérer", "conduire", "réaliser", "multiplier"]
)
DENIAL: Final = frozenset({"nier", "démentir", "refuser", "contester"})
NEGATORS: Final = frozenset({"pas", "jamais", "nullement", "aucunement", "guère", "point"})
PRONOUNS: Final = frozenset(
    [
        "il",
        "elle",
        "ils",
        "elles",
        "lui",
        "eux",
        "celui-ci",
        "celle-ci",
        "ceux-ci",
        "celles-ci",
        "celui-là",
        "ce",
    ]
)
CASES: Final = {"au": "à", "aux": "à", "à": "à", "d'": "de", "du": "de", "des": "de"}
# A verb under one of these is what its subject intends ("voulaient faire exploser").
INTENT: Final = PLAN | frozenset({"vouloir", "prévoir", "compter", "chercher", "apprêter"})
# Every lemma a verb or noun trigger branch of :mod:`.verbs`, :mod:`.attacks` and
# :mod:`.nouns` tests for: any other word triggers nothing, so its arguments are not read.
VERB_TRIGGERS: Final = (
    SHARE_IF_INFORMATION
    | SHARE_ALWAYS
    | SHARE_IF_NAMED
    | ARREST
    | SEIZE
    | PHONE_VERBS
    | PRAISE
    | STATEMENT
    | PLAN
    | CARRY_OUT
    | frozenset(ATTACK_VERBS)
    | frozenset(
        ["placer", "mettre", "téléphoner", "rendre", "exploser", "sauter", "poser", "prendre"]
    )
)
NOUN_TRIGGERS: Final = ARREST_NOUNS | SEIZE_NOUNS | PHONE_NOUNS | frozenset(ATTACK_NOUNS)
