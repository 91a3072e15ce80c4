"""Open-source intake: press articles turned into draft STIX reports for review.

The heavy dependencies (spaCy and its models, natasha, lingua, trafilatura) come with the
optional extra ``passerelle[intake]``; modules that need them import them lazily, so that a
node that only exchanges never loads them.
"""

from __future__ import annotations

INSTALL_HINT = "intake needs its optional extra: pip install 'passerelle[intake]'"
