"""Keys under which watches and correlation meet: names and observables.

What other packages may use is every module here (``__all__``), each naming in its own
``__all__`` what it offers: :mod:`.rules` (a node's key rules,
:class:`~passerelle.keys.rules.KeyRules`), :mod:`.names` (names as watch keys, behind the
:class:`~passerelle.keys.names.NameMatcher` interface that entity resolution implements)
and :mod:`.observables` (phone numbers, e-mail addresses, URLs, handles, domains, IP
addresses and networks, hashes: a package split by concern, behind its own ``__init__``).
"""

from passerelle.keys import names, observables, rules

__all__ = ["names", "observables", "rules"]
