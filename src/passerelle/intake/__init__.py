"""Open-source intake: press articles turned into draft STIX reports for review.

The heavy dependencies (spaCy and its models, natasha, lingua, trafilatura) come with the
optional extra ``passerelle[intake]``; modules that need them import them lazily, so that a
node that only exchanges never loads them.

The layout: :mod:`.model` (what passes between the stages), :mod:`.reading` (a document
to an article), :mod:`.language`, :mod:`.typography`; one package per thing intake finds,
each with a module (or package) per language, ``fr``, ``en`` and ``ru``, independent of one
another, beside a ``base`` module they share: :mod:`.mentions` (entities), :mod:`.dates`,
:mod:`.quotes` (quotations and their speakers), :mod:`.facts`; :mod:`.pipeline` (all of it,
and linking) and :mod:`.node_linking`; :mod:`.bundle` (the draft as a STIX bundle) and
:mod:`.review` (drafts stored, reviewed and published).
"""

from __future__ import annotations

INSTALL_HINT = "intake needs its optional extra: pip install 'passerelle[intake]'"
