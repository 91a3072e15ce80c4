"""Observable keys: values typed by people or found in STIX objects, for watches and
correlation."""

from __future__ import annotations

from typing import Any

import pytest

from passerelle.errors import BadInput
from passerelle.keys import observables
from passerelle.keys.observables import (
    object_observable_keys,
    observable_key,
    pattern_keys,
)
from tests.stixgen import T0, identity, indicator, stix_id

PHONE = "phone:+33612345678"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        # French numbers, national and international, however they are written
        ("06 12 34 56 78", PHONE),
        ("0612345678", PHONE),
        ("06.12.34.56.78", PHONE),
        ("06-12-34-56-78", PHONE),
        ("+33 6 12 34 56 78", PHONE),
        ("+33612345678", PHONE),
        ("+33 (0)6 12 34 56 78", PHONE),
        ("0033 6 12 34 56 78", PHONE),
        ("tel:+33-6-12-34-56-78", PHONE),
        ("phone:06 12 34 56 78", PHONE),
        ("01 23 45 67 89", "phone:+33123456789"),
        # other countries need their prefix
        ("+7 912 345-67-89", "phone:+79123456789"),
        ("+44 20 7946 0958", "phone:+442079460958"),
        # e-mail addresses, lower-cased whole
        ("Jean.Dupont@Interieur.GOUV.fr", "email:jean.dupont@interieur.gouv.fr"),
        ("mailto:cell@example.org", "email:cell@example.org"),
        ("email:X@Y.fr", "email:x@y.fr"),
        # URLs: scheme and host lower-cased, default port, fragment and trailing / dropped
        ("HTTPS://Example.ORG/Path/", "url:https://example.org/Path"),
        ("https://example.org/", "url:https://example.org"),
        ("https://example.org:443/a?b=1#top", "url:https://example.org/a?b=1"),
        ("http://example.org:8080/a", "url:http://example.org:8080/a"),
        ("http://exämple.fr/x", "url:http://xn--exmple-cua.fr/x"),
        ("https://t.me/joinchat/AbCd", "url:https://t.me/joinchat/AbCd"),
        ("url:https://x.fr/", "url:https://x.fr"),
        # handles, and Telegram links that name an account
        ("@Cell_Leader", "handle:cell_leader"),
        ("t.me/Cell_Leader", "handle:cell_leader"),
        ("https://t.me/cell_leader", "handle:cell_leader"),
        ("https://t.me/s/cell_leader/123", "handle:cell_leader"),
        ("telegram.me/cell_leader", "handle:cell_leader"),
        ("handle:JDoe", "handle:jdoe"),
    ],
)
def test_typed_observables_normalise_to_one_key(typed: str, key: str) -> None:
    assert observable_key(typed, "FR") == key


def test_national_numbers_are_read_in_the_node_region() -> None:
    assert observable_key("020 7946 0958", "GB") == "phone:+442079460958"
    assert observable_key("+33 6 12 34 56 78", "GB") == PHONE


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "needs a value"),
        ("   ", "needs a value"),
        ("hello world", "cannot tell what"),
        ("example.org", "cannot tell what"),
        ("12", "not a possible phone number"),
        ("06 12", "not a possible phone number"),
        ("x@", "not an e-mail address"),
        ("@", "not a handle"),
        ("@not a handle", "not a handle"),
        ("email:nobody", "not an e-mail address"),
        ("url:nowhere", "not a URL"),
    ],
)
def test_what_is_not_an_observable_is_refused_clearly(typed: str, says: str) -> None:
    with pytest.raises(BadInput) as caught:
        observable_key(typed, "FR")
    assert says in caught.value.message
    assert "\n" not in caught.value.message


def test_a_very_long_url_becomes_a_digest_on_both_sides() -> None:
    long_url = "https://example.org/" + "a" * 500
    key = observable_key(long_url, "FR")
    assert key.startswith("url:sha256:")
    assert len(key) < 100
    sco = {"type": "url", "id": stix_id("url"), "value": long_url + "/"}
    assert object_observable_keys(sco, "FR") == {key}


def sco(kind: str, **props: Any) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": stix_id(kind), **props}


def test_keys_of_cyber_observables() -> None:
    assert object_observable_keys(sco("email-addr", value="Cell@Example.ORG"), "FR") == {
        "email:cell@example.org"
    }
    assert object_observable_keys(sco("url", value="https://t.me/Cell_Leader/"), "FR") == {
        "url:https://t.me/Cell_Leader",
        "handle:cell_leader",
    }
    assert object_observable_keys(sco("user-account", account_login="@Abu_X"), "FR") == {
        "handle:abu_x"
    }
    numbers = sco("user-account", account_login="abu", x_phone_numbers=["06 12 34 56 78"])
    assert object_observable_keys(numbers, "FR") == {"handle:abu", PHONE}
    assert object_observable_keys(sco("ipv4-addr", value="10.0.0.1"), "FR") == set()


def test_keys_of_indicator_patterns() -> None:
    pattern = (
        "[email-addr:value = 'A@b.fr'] OR [url:value IN ('https://X.fr/', 'http://y.fr')] "
        "OR [user-account:account_login = '@Jdoe' AND email-message:from_ref.value = 'c@d.fr']"
        " OR [email-addr:value != 'not@this.fr'] OR [email-addr:value NOT = 'nor@this.fr']"
        " OR [email-message:to_refs[*].value = 'e@f.fr'] OR [x-phone:value = '0612345678']"
    )
    assert pattern_keys(pattern, "FR") == {
        "email:a@b.fr",
        "url:https://x.fr",
        "url:http://y.fr",
        "handle:jdoe",
        "email:c@d.fr",
        "email:e@f.fr",
        PHONE,
    }
    obj = indicator(pattern="[email-addr:value = 'O\\'Neil@b.fr']")
    assert object_observable_keys(obj, "FR") == {"email:o'neil@b.fr"}
    other_language = indicator(pattern="alert tcp any any -> a@b.fr", pattern_type="snort")
    assert object_observable_keys(other_language, "FR") == set()


def in_text(text: str) -> dict[str, Any]:
    """A note whose content is the text: free text gives keys as part of an object."""
    return {"type": "note", "spec_version": "2.1", "id": stix_id("note"), "content": text}


def test_keys_in_free_text() -> None:
    text = (
        "Le chef de cellule est joignable au 06 12 34 56 78 ou au +7 912 345-67-89, "
        "écrit à Cell@Example.fr, publie sur https://t.me/cell_leader. et t.me/s/other_one, "
        "signe @abu_x. Réunion le 12/03/2026, dossier 2026-0001234, site https://Ex.org/a/."
    )
    assert object_observable_keys(in_text(text), "FR") == {
        PHONE,
        "phone:+79123456789",
        "email:cell@example.fr",
        "url:https://t.me/cell_leader",
        "handle:cell_leader",
        "url:https://t.me/s/other_one",
        "handle:other_one",
        "handle:abu_x",
        "url:https://ex.org/a",
    }
    assert object_observable_keys(in_text(text), "FR", frozenset({"email"})) == {
        "email:cell@example.fr"
    }


def test_free_text_properties_of_objects_are_scanned() -> None:
    person = identity("@abu_x", contact_information="tel. 06 12 34 56 78")
    assert object_observable_keys(person, "FR") == {"handle:abu_x", PHONE}
    report = {
        "type": "report",
        "id": stix_id("report"),
        "created": T0,
        "modified": T0,
        "name": "06 12 34 56 78",  # a report's name is a title, not scanned
        "description": "écrire à cell@example.org",
        "object_refs": [stix_id("identity")],
    }
    assert object_observable_keys(report, "FR") == {"email:cell@example.org"}


def test_the_text_scanned_is_capped() -> None:
    far = "x " * observables.MAX_TEXT + " 06 12 34 56 78 cell@example.org"
    obj = identity("someone", description=far)
    assert object_observable_keys(obj, "FR") == set()
    near = identity("someone", description="06 12 34 56 78 " + "x " * observables.MAX_TEXT)
    assert object_observable_keys(near, "FR") == {PHONE}


# -- correlation kinds --------------------------------------------------------------------

WIDE = observables.CORRELATION_KINDS
DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.mark.parametrize(
    ("typed", "key", "shown"),
    [
        ("10.0.0.1", "ipv4:010.000.000.001", "ip:10.0.0.1"),
        ("ip:10.0.0.1", "ipv4:010.000.000.001", "ip:10.0.0.1"),
        ("10.0.0.1/32", "ipv4:010.000.000.001", "ip:10.0.0.1"),
        ("10.0.0.9/24", "cidr4:010.000.000.000/24", "cidr:10.0.0.0/24"),
        ("cidr:10.0.0.0/24", "cidr4:010.000.000.000/24", "cidr:10.0.0.0/24"),
        ("2001:DB8::1", "ipv6:2001:0db8:0000:0000:0000:0000:0000:0001", "ip:2001:db8::1"),
        ("2001:db8::/32", "cidr6:2001:0db8:0000:0000:0000:0000:0000:0000/32", "cidr:2001:db8::/32"),
        ("Evil.Example.", "domain:evil.example", "domain:evil.example"),
        ("domain:exämple.fr", "domain:xn--exmple-cua.fr", "domain:xn--exmple-cua.fr"),
        (DIGEST.upper(), f"sha256:{DIGEST}", f"sha256:{DIGEST}"),
        (f"sha-256:{DIGEST}", f"sha256:{DIGEST}", f"sha256:{DIGEST}"),
        ("md5:D41D8CD98F00B204E9800998ECF8427E", "md5:d41d8cd98f00b204e9800998ecf8427e", None),
        ("06 12 34 56 78", PHONE, PHONE),
        ("@Cell_Leader", "handle:cell_leader", "handle:cell_leader"),
    ],
)
def test_correlation_values_normalise_to_one_key(typed: str, key: str, shown: str | None) -> None:
    assert observable_key(typed, "FR", WIDE) == key
    assert observables.display_key(key) == (shown or key)


def test_watches_keep_their_own_kinds() -> None:
    """A watch never takes a key that watches do not match on."""
    with pytest.raises(BadInput):
        observable_key("example.org", "FR")
    with pytest.raises(BadInput):
        observable_key("domain:example.org", "FR")
    with pytest.raises(BadInput) as caught:
        observable_key("0.0.0.0/0", "FR", WIDE)
    assert "too wide" in caught.value.message


def test_addresses_sort_in_numeric_order_and_networks_find_them() -> None:
    low, high = (observable_key(v, "FR", WIDE) for v in ("9.255.255.255", "10.0.0.0"))
    assert low < high
    equal, ranges = observables.related_keys(observable_key("10.0.0.0/24", "FR", WIDE))
    inside = observable_key("10.0.0.77", "FR", WIDE)
    outside = observable_key("10.0.1.0", "FR", WIDE)
    subnet = observable_key("10.0.0.128/25", "FR", WIDE)
    assert any(a <= inside <= b for a, b in ranges)
    assert any(a <= subnet <= b for a, b in ranges)
    assert not any(a <= outside <= b for a, b in ranges)
    assert observable_key("10.0.0.0/8", "FR", WIDE) in equal
    holders, _ = observables.related_keys(inside)
    assert observable_key("10.0.0.0/24", "FR", WIDE) in holders


def test_correlation_keys_of_objects() -> None:
    pattern = (
        f"[file:hashes.'SHA-256' = '{DIGEST.upper()}' OR file:hashes.MD5 = 'not-hex'] "
        "AND [network-traffic:dst_ref.value = '198.51.100.7'] "
        "OR [domain-name:value = 'Evil.Example'] OR [url:value = 'https://x.fr/a'] "
        "OR [ipv4-addr:value = '203.0.113.0/24'] OR [email-addr:value = 'a@gmail.com']"
    )
    text = "seen at 192.0.2.1, version 1.2.3.4.5, hash " + "f" * 40 + " at http://y.example/b"
    keys = object_observable_keys(indicator(pattern=pattern, description=text), "FR", WIDE)
    assert keys == {
        f"sha256:{DIGEST}",
        "ipv4:198.051.100.007",
        "domain:evil.example",
        "url:https://x.fr/a",
        "domain:x.fr",
        "cidr4:203.000.113.000/24",
        "email:a@gmail.com",  # and no domain:gmail.com: a mail provider says nothing
        "ipv4:192.000.002.001",
        "sha1:" + "f" * 40,
        "url:http://y.example/b",
        "domain:y.example",
    }
    file = sco("file", hashes={"SHA-1": "A" * 40, "x-custom": "abc"})
    assert object_observable_keys(file, "FR", WIDE) == {"sha1:" + "a" * 40}
    assert object_observable_keys(sco("domain-name", value="X.Example"), "FR", WIDE) == {
        "domain:x.example"
    }
    # The watch kinds alone are what they always were.
    assert object_observable_keys(indicator(pattern=pattern), "FR") == {
        "url:https://x.fr/a",
        "email:a@gmail.com",
    }


def test_an_address_in_text_is_not_a_phone_number() -> None:
    assert object_observable_keys(in_text("C2 at 198.51.100.7"), "FR") == set()
    assert object_observable_keys(in_text("appeler le 06.12.34.56.78"), "FR") == {PHONE}
