"""Names as watch keys: normalised exactly, from the name and aliases of persons and groups."""

from __future__ import annotations

import hashlib

import pytest

from passerelle.keys.names import ExactNames, name_keys, normalise_name
from tests.stixgen import identity, stix_id


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Dzhokhar  TSARNAEV", "dzhokhar tsarnaev"),
        ("Tsarnaïev", "tsarnaiev"),
        ("\uff34\uff53\uff41\uff52\uff4e\uff41\uff45\uff56", "tsarnaev"),  # full-width (NFKC)
        ("al-Baghdadi, Abu Bakr", "al baghdadi abu bakr"),
        ("État islamique", "etat islamique"),
        ("Straße", "strasse"),
        ("Царнаев", "царнаев"),  # other scripts are kept: transliteration comes later
        ("Йошкар-Ола", "йошкар ола"),  # a Cyrillic breve is part of the letter
        ("داعش", "داعش"),
        ("  ...  ", ""),
    ],
)
def test_names_normalise_exactly(name: str, normalised: str) -> None:
    assert normalise_name(name) == normalised


def test_name_keys_come_from_names_and_aliases_of_persons_and_groups() -> None:
    actor = {
        "type": "threat-actor",
        "id": stix_id("threat-actor"),
        "name": "Daesh",
        "aliases": ["ISIS", "État islamique", 7],
    }
    exact = ExactNames()
    assert name_keys(actor, exact) == {"name:daesh", "name:isis", "name:etat islamique"}
    assert name_keys(identity("Tsarnaïev"), exact) == {"name:tsarnaiev"}
    malware = {"type": "malware", "id": stix_id("malware"), "name": "Daesh"}
    assert name_keys(malware, exact) == set()
    digest = hashlib.sha256(b"x" * 300).hexdigest()
    assert ExactNames().keys("x" * 400, "") == {f"name:sha256:{digest}"}
