"""Entity mentions in an article: one recogniser per language intake reads.

Each language module reads an article text and returns its
:class:`~passerelle.intake.model.Mention` s, with ``parse(text)`` (the parse a recogniser
reads, which quotations and facts may read too) and ``extract(text, aliases, doc=None)``:

- :mod:`.fr`: spaCy's fr_core_news_md and rules (``MODEL`` names the model);
- :mod:`.en`: rules over spaCy's blank English tokenizer;
- :mod:`.ru`: natasha's offline news models (``models()`` loads them once).

What the three share (spans, gazetteers, Latin acronyms, spelling variants) is in
:mod:`.base`; the language modules do not import one another.
"""

from __future__ import annotations

from passerelle.intake.mentions import en, fr, ru

__all__ = ["en", "fr", "ru"]
