# ruff: noqa: RUF002  (Cyrillic letters, on purpose)
"""Facts in a Russian article, read from natasha's dependency parse (issue 6, item 6).

natasha's ``NewsSyntaxParser`` gives a Universal Dependencies parse and
``NewsMorphTagger`` the lemmas and features; arguments map to mentions by character
offsets (the token, else a person, organisation or group mention in its noun phrase:
"сотрудниками ФСБ" gives ФСБ). Codes and labels are those of
:mod:`passerelle.intake.facts.base`.

Triggers (lemmas):

- ``064``: передать, предоставить, направить, переслать, поделиться (and imperfectives)
  with an information noun (информация, данные, сведения, разведданные) as object,
  passive subject or head of the participle ("информация, переданная ФСБ"); the target
  is the dative (``iobj``, a bare dative ``obl``) or ``с`` for поделиться;
- ``173``: задержать, арестовать, взять под стражу; the target must be animate (a
  pronoun, a name, a people noun, a counted noun);
- ``1711``: изъять, конфисковать; ``object_text`` is what was seized, the target whom
  from (``у X``), if a party;
- ``041``: провести телефонный разговор/телефонные переговоры, поговорить (побеседовать,
  переговорить...) по телефону, созвониться; the target is ``с X``;
- ``051``: поблагодарить, похвалить; the target is the object;
- ``010``: заявить, with a named party as actor, when the sentence has no other fact;
- ``18x``: готовить/планировать/замышлять (planned) or совершить/осуществить/устроить
  теракт, нападение, атаку, взрыв (183), покушение (186), похищение (181); взорвать,
  подорвать (183), напасть, атаковать (180), похитить (181); a verb governed by a
  planning verb ("планировали совершить") is planned. The target is the object of the
  verb, or ``против``/``на`` under the noun.

Voice: ``nsubj`` is the actor and ``obj`` the patient; in the passive (``Voice=Pass``,
``aux:pass``, ``nsubj:pass``, a passive participle modifying its noun) the agent is
``со стороны X``, ``obl:agent`` or a bare instrumental ("сотрудниками ФСБ"), and the
subject or modified noun the patient. When ``со стороны X`` is there, a bare
``obl:agent`` the parser found is the recipient (the parser often reads a dative acronym
as the agent). A verb with no subject under ``xcomp``/``conj`` takes its governor's;
a pronoun subject (он, она, они) is the most recent party mentioned before it
(``actor_inferred``). A third person plural verb with no subject is read as
indefinite-personal ("задержали"): no actor. Negation: ``не`` on the trigger or its
governor.

The reading is split by concern: :mod:`.lexicon` (the trigger words), :mod:`.reader` (the
parse), :mod:`.arguments` (actor and patient), :mod:`.triggers` (the rules),
:mod:`.sentences` (facts sentence by sentence).
"""

from __future__ import annotations

from passerelle.intake.facts.ru.sentences import find_facts_ru

__all__ = ["find_facts_ru"]
