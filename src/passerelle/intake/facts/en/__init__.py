"""Facts in an English article, by rules over spaCy's blank tokenizer and the mentions.

No English parser model can be had offline, so there is no dependency parse: a trigger
word is found in a sentence, then its actor is the nearest person, organisation or group
mention before it that is not the object of a preposition (else the words of the noun
phrase before it), and its target the mention (or noun phrase) right after it or after
the preposition the trigger wants. Codes and labels are those of
:mod:`passerelle.intake.facts.base`.

Rules:

- ``173``: "X arrested/detained/apprehended/captured Y"; passive "Y was/were arrested
  (by X)"; "the arrest/detention of Y (by X)". The target must be a mention, a people
  noun, a number or a pronoun.
- ``064``: "X shared/passed/provided/gave/sent/supplied ... information/intelligence/data/
  a tip (to|with) Y", "X gave Y information"; passive "information was passed to Y by X",
  "intelligence provided by X to Y"; "X warned/alerted/tipped off Y" (Y a party).
- ``051``: "X thanked/praised/commended Y" (not "thanks to").
- ``041``: "X spoke/talked/held talks (by|on the|over the) phone/telephone with Y",
  "X phoned Y", "X and Y spoke by phone".
- ``1711``: "X seized/confiscated Z (from Y)", "Z was seized", "the seizure of Z".
- ``18x``: "plot/plan/prepare to bomb/attack/blow up/assassinate/kidnap Y" (planned),
  "planned/plotted an attack (on|against) Y" (planned), "carried out/committed/staged/
  launched an attack/a bombing...", "X bombed/attacked/kidnapped/assassinated Y". A
  bombing word (bomb, explosive, suicide, car bomb, blow up) makes an attack 183.
- ``010``: "X said/announced/stated/declared" with X a named party right before the
  verb, when the sentence has no other fact.

A pronoun subject (he, she, it, they) is the most recent party mention before it, in the
sentence or the one before (``actor_inferred``). Negation: "not", "n't", "never" within
the three words before the trigger, or "denied" before it.

Limits: no clause structure, so a long subject with a relative clause, coordinated verbs
("arrested X and questioned Y"), or an actor far from its verb are missed or misread; a
mention before the verb that is not its subject (a fronted adverbial "In a statement
the FSB...") is taken only if no preposition precedes it.

The reading is split by concern: :mod:`.lexicon` (the trigger words), :mod:`.reader` (the
words around a trigger), :mod:`.triggers` and :mod:`.attacks` (the rules),
:mod:`.sentences` (facts sentence by sentence).
"""

from __future__ import annotations

from passerelle.intake.facts.en.sentences import find_facts_en

__all__ = ["find_facts_en"]
