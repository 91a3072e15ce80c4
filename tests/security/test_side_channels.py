"""Side channels: what a user may not see leaves no trace in what they can see.

- An object that exists but is invisible to a user answers exactly like one that does not
  exist (status, headers, body, once the id is set aside).
- Posting something a user may not see moves none of their responses: bodies, counts,
  ``more``/``next`` and the X-TAXII-Date-Added-First/Last headers stay byte-identical.
- A relationship or report made of something a user may not see is itself invisible.

The world is tests/access_world.py's.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from httpx2 import Response

from passerelle.cli import cli
from passerelle.stix.markings import Tlp
from passerelle.store.database import Database
from tests.access_world import (
    CHANNEL,
    NAMED_RECIPIENTS,
    AccessWorld,
    Probe,
    marked_indicator,
    open_probe,
    relationship,
    report,
)
from tests.stixgen import stix_id
from tests.taxii_client import Taxii


@pytest.fixture
def probe(database: Database, database_url: str) -> Iterator[Probe]:
    """The matrix world on each backend, with an in-process app over it."""
    with open_probe(database, database_url) as found:
        yield found


@dataclass(frozen=True)
class Seen:
    """A response as bytes: status, every header, body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def of(cls, response: Response, ident: str = "", placeholder: str = "<ID>") -> Seen:
        """Capture a response, with an id replaced by a placeholder wherever it appears."""

        def hide(text: str) -> str:
            return text.replace(ident, placeholder) if ident else text

        headers = tuple((k, hide(v)) for k, v in response.headers.multi_items())
        return cls(response.status_code, headers, hide(response.text).encode())


# Invisible or missing: the same answer.

# (viewer, the object they face): an unnamed member and a RED object; a client and an
# AMBER+STRICT object; a non-member and the channel; auditors and anything.
INVISIBLE = [
    ("member-analyst", "RED"),
    ("member-liaison", "RED"),
    ("client-analyst", "AMBER+STRICT"),
    ("client-liaison", "RED"),
    ("outsider-liaison", "CLEAR"),
    ("member-auditor", "CLEAR"),
    ("producer-auditor", "CLEAR"),
]

Request = Callable[[Taxii, str, str], Response]

OBJECT_REQUESTS: dict[str, Request] = {
    "GET object": lambda t, col, i: t.get(f"/collections/{col}/objects/{i}/"),
    "GET object, all versions": lambda t, col, i: t.get(
        f"/collections/{col}/objects/{i}/", params={"match[version]": "all"}
    ),
    "GET object, next=0": lambda t, col, i: t.get(
        f"/collections/{col}/objects/{i}/", params={"next": "0"}
    ),
    "GET versions": lambda t, col, i: t.get(f"/collections/{col}/objects/{i}/versions/"),
    "DELETE object": lambda t, col, i: t.delete(f"/collections/{col}/objects/{i}/"),
    "DELETE object, all versions": lambda t, col, i: t.delete(
        f"/collections/{col}/objects/{i}/", params={"match[version]": "all"}
    ),
    "GET objects, match[id]": lambda t, col, i: t.get(
        f"/collections/{col}/objects/", params={"match[id]": i}
    ),
    "GET manifest, match[id]": lambda t, col, i: t.get(
        f"/collections/{col}/manifest/", params={"match[id]": i}
    ),
}


@pytest.mark.parametrize(("username", "label"), INVISIBLE)
def test_an_invisible_object_answers_like_a_missing_one(
    probe: Probe, username: str, label: str
) -> None:
    taxii = probe.taxii(username)
    hidden = probe.world.id_of(label)
    missing = stix_id("indicator")
    collection = probe.world.collection
    failures = []
    for name, request in OBJECT_REQUESTS.items():
        for_hidden = Seen.of(request(taxii, collection, hidden), hidden)
        for_missing = Seen.of(request(taxii, collection, missing), missing)
        if for_hidden != for_missing:
            failures.append(
                f"{name} as {username}, {label} object vs a missing one:\n"
                f"    hidden:  {for_hidden}\n    missing: {for_missing}"
            )
        elif for_hidden.status == 200 and b'"objects"' in for_hidden.body:
            failures.append(f"{name} as {username} served the {label} object: {for_hidden}")
    assert not failures, "\n".join(failures)
    # Nothing was deleted: the producer still holds both versions.
    versions = probe.taxii("producer-analyst").get(f"/collections/{collection}/objects/{hidden}/")
    assert versions.status_code == 200


@pytest.mark.parametrize("username", ["outsider-liaison", "outsider-admin", "member-auditor"])
def test_an_unknown_channel_answers_like_a_missing_one(probe: Probe, username: str) -> None:
    taxii = probe.taxii(username)
    real = probe.world.collection
    missing = str(uuid.uuid4())
    some_object = probe.world.id_of("CLEAR")
    requests: dict[str, Callable[[str], Response]] = {
        "GET collection": lambda c: taxii.get(f"/collections/{c}/"),
        "GET objects": lambda c: taxii.get(f"/collections/{c}/objects/"),
        "GET manifest": lambda c: taxii.get(f"/collections/{c}/manifest/"),
        "GET object": lambda c: taxii.get(f"/collections/{c}/objects/{some_object}/"),
        "GET versions": lambda c: taxii.get(f"/collections/{c}/objects/{some_object}/versions/"),
        "DELETE object": lambda c: taxii.delete(f"/collections/{c}/objects/{some_object}/"),
        "POST objects": lambda c: taxii.post_objects(c, [marked_indicator(99, Tlp.GREEN)]),
    }
    failures = []
    for name, request in requests.items():
        for_real = Seen.of(request(real), real)
        for_missing = Seen.of(request(missing), missing)
        if for_real != for_missing or for_real.status != 404:
            failures.append(
                f"{name} as {username}, matrix vs a missing collection:\n"
                f"    matrix:  {for_real}\n    missing: {for_missing}"
            )
    assert not failures, "\n".join(failures)
    listed = taxii.get("/collections/").json().get("collections", [])
    assert real not in {c["id"] for c in listed}


# Posting what a user may not see moves nothing they can see.


def exported(probe: Probe, username: str) -> Seen:
    """The CLI export as a user: the bundle (its random id set aside) and the summary."""
    env = {"PASSERELLE_DB": probe.database_url, "PASSERELLE_USER": username}
    result = probe.runner.invoke(
        cli, ["export", "--channel", CHANNEL], env=env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    bundle = re.sub(r"bundle--[0-9a-f-]{36}", "bundle--<ID>", result.stdout)
    return Seen(result.exit_code, (("stderr", result.stderr),), bundle.encode())


def snapshot(probe: Probe, username: str) -> dict[str, list[Seen]]:
    """Every response a user gets from the listing paths, page by page, as bytes."""
    taxii, world = probe.taxii(username), probe.world
    collection = world.collection
    objects = f"/collections/{collection}/objects/"
    manifest = f"/collections/{collection}/manifest/"
    first = taxii.get(objects).headers.get("X-TAXII-Date-Added-First", "")

    def pages(url: str, params: dict[str, Any]) -> list[Seen]:
        found, query = [], dict(params)
        for _ in range(50):
            response = taxii.get(url, params=query)
            found.append(Seen.of(response))
            if response.status_code != 200 or not response.json()["more"]:
                return found
            query["next"] = response.json()["next"]
        raise AssertionError(f"{url}: pagination never ends")

    return {
        "objects": pages(objects, {}),
        "objects, limit=1": pages(objects, {"limit": 1}),
        "objects, all versions, limit=3": pages(objects, {"limit": 3, "match[version]": "all"}),
        "objects, first versions": pages(objects, {"match[version]": "first"}),
        "objects, added_after the first": pages(objects, {"added_after": first}),
        "objects, by type": pages(objects, {"match[type]": "indicator,relationship,report"}),
        "manifest": pages(manifest, {}),
        "manifest, limit=1": pages(manifest, {"limit": 1}),
        "manifest, all versions, limit=3": pages(manifest, {"limit": 3, "match[version]": "all"}),
        "versions of the AMBER object": pages(
            f"{objects}{world.id_of('AMBER')}/versions/", {"limit": 1}
        ),
        "collections": [Seen.of(taxii.get("/collections/"))],
        "collection": [Seen.of(taxii.get(f"/collections/{collection}/"))],
        "cli export": [exported(probe, username)],
    }


def hidden_red(world: AccessWorld) -> list[dict[str, Any]]:
    """A RED indicator naming only the producer's analyst."""
    return [marked_indicator(101, Tlp.RED, ["producer-analyst"])]


def hidden_strict(world: AccessWorld) -> list[dict[str, Any]]:
    """An AMBER+STRICT indicator (two versions)."""
    first = marked_indicator(102, Tlp.AMBER_STRICT)
    return [first, {**first, "modified": "2026-02-01T00:00:00.000Z"}]


def green_relationship_to_red(world: AccessWorld) -> list[dict[str, Any]]:
    """A GREEN relationship whose target is the RED object."""
    return [relationship(world.id_of("GREEN"), world.id_of("RED"), Tlp.GREEN)]


def green_report_of_red(world: AccessWorld) -> list[dict[str, Any]]:
    """A GREEN report whose contents include the RED object."""
    return [report([world.id_of("GREEN"), world.id_of("RED")], Tlp.GREEN)]


def amber_relationship_to_strict(world: AccessWorld) -> list[dict[str, Any]]:
    """An AMBER relationship whose target is the AMBER+STRICT object."""
    return [relationship(world.id_of("AMBER"), world.id_of("AMBER+STRICT"), Tlp.AMBER)]


HIDDEN_POSTS: list[tuple[str, Callable[[AccessWorld], list[dict[str, Any]]]]] = [
    ("member-analyst", hidden_red),
    ("member-analyst-named", hidden_red),
    ("client-analyst", hidden_red),
    ("client-analyst", hidden_strict),
    ("member-analyst", green_relationship_to_red),
    ("member-analyst", green_report_of_red),
    ("client-analyst", amber_relationship_to_strict),
]


@pytest.mark.parametrize(
    ("username", "make"), HIDDEN_POSTS, ids=[f"{u}-{m.__name__}" for u, m in HIDDEN_POSTS]
)
def test_posting_what_a_user_may_not_see_moves_nothing_they_see(
    probe: Probe, username: str, make: Callable[[AccessWorld], list[dict[str, Any]]]
) -> None:
    before = snapshot(probe, username)
    posted = make(probe.world)
    status = probe.taxii("producer-liaison").post_objects(probe.world.collection, posted).json()
    assert status["success_count"] == len(posted), status
    # The post took: its producer sees what it posted.
    producer = probe.taxii("producer-analyst")
    for obj in posted:
        response = producer.get(f"/collections/{probe.world.collection}/objects/{obj['id']}/")
        assert response.status_code == 200, obj["id"]
    after = snapshot(probe, username)
    moved = [
        f"{name}: page {i}\n    before: {b}\n    after:  {a}"
        for name in before
        for i, (b, a) in enumerate(zip(before[name], after[name], strict=False))
        if b != a
    ] + [
        f"{name}: {len(before[name])} pages before, {len(after[name])} after"
        for name in before
        if len(before[name]) != len(after[name])
    ]
    assert not moved, f"{username}'s responses moved:\n" + "\n".join(moved)


# Derived objects follow what they are made of.


def ways_to_see(taxii: Taxii, world: AccessWorld, ident: str) -> dict[str, bool]:
    """Tell, path by path, whether a user is shown an object of the matrix."""
    objects = f"/collections/{world.collection}/objects/"
    listed = taxii.get(objects).json().get("objects", [])
    manifest = taxii.get(f"/collections/{world.collection}/manifest/").json().get("objects", [])
    return {
        "objects": ident in {o["id"] for o in listed},
        "manifest": ident in {r["id"] for r in manifest},
        "by id": taxii.get(f"{objects}{ident}/").status_code == 200,
        "versions": taxii.get(f"{objects}{ident}/versions/").status_code == 200,
    }


def check_sight(probe: Probe, ident: str, expected: dict[str, bool]) -> None:
    failures = []
    for username, visible in expected.items():
        shown = ways_to_see(probe.taxii(username), probe.world, ident)
        wrong = {path: seen for path, seen in shown.items() if seen != visible}
        if wrong:
            failures.append(f"{username}: expected visible={visible}, got {wrong}")
    assert not failures, f"{ident}:\n" + "\n".join(failures)


def test_a_relationship_to_an_object_one_may_not_see_is_invisible(probe: Probe) -> None:
    to_red = relationship(probe.world.id_of("GREEN"), probe.world.id_of("RED"), Tlp.GREEN)
    to_strict = relationship(
        probe.world.id_of("AMBER"), probe.world.id_of("AMBER+STRICT"), Tlp.AMBER
    )
    to_green = relationship(probe.world.id_of("CLEAR"), probe.world.id_of("GREEN"), Tlp.GREEN)
    posted = probe.world.post("producer-liaison", [to_red, to_strict, to_green])
    assert not posted.failures, posted.failures
    check_sight(
        probe,
        to_red["id"],
        {
            "producer-analyst": True,
            "member-analyst": False,
            "member-liaison": False,
            "member-analyst-named": True,
            "client-analyst": False,
            "member-auditor-named": False,
        },
    )
    check_sight(
        probe,
        to_strict["id"],
        {
            "producer-analyst": True,
            "member-analyst": True,
            "client-analyst": False,
            "client-liaison": False,
        },
    )
    # The control: a GREEN relationship between GREEN-visible objects reaches members.
    check_sight(probe, to_green["id"], {"producer-analyst": True, "member-analyst": True})


def test_a_report_of_a_red_object_reaches_only_its_named_recipients(probe: Probe) -> None:
    contents = [probe.world.id_of("GREEN"), probe.world.id_of("RED")]
    of_red = report(contents, Tlp.GREEN)
    of_green = report([probe.world.id_of("GREEN")], Tlp.GREEN)
    posted = probe.world.post("producer-liaison", [of_red, of_green])
    assert not posted.failures, posted.failures
    member_view = {name: True for name in NAMED_RECIPIENTS if "auditor" not in name}
    check_sight(
        probe,
        of_red["id"],
        {
            "producer-analyst": True,
            "producer-liaison": True,
            "member-analyst": False,
            "member-liaison": False,
            "member-admin": False,
            **member_view,
            "member-auditor-named": False,
            "client-analyst": False,
        },
    )
    check_sight(probe, of_green["id"], {"member-analyst": True, "member-analyst-named": True})


def test_next_tokens_do_not_count_what_a_user_may_not_see(probe: Probe) -> None:
    """Paging tokens must not tell how many hidden objects lie between two visible ones.

    The token is opaque to clients, but today it is a number. Where it is, the step from one
    page's token to the next must not depend on objects posted in between that the reader
    may not see; an opaque token that carries no count passes trivially.
    """
    visible = [marked_indicator(500 + n, Tlp.GREEN) for n in range(5)]
    hidden = [marked_indicator(600 + n, Tlp.RED, ["producer-analyst"]) for n in range(4)]
    for envelope in ([visible[0], visible[1]], [visible[2]], hidden, [visible[3], visible[4]]):
        assert not probe.world.post("producer-liaison", envelope).failures
    reader = probe.taxii("member-analyst")
    query: dict[str, Any] = {"limit": 1, "match[id]": ",".join(o["id"] for o in visible)}
    tokens = []
    while True:
        body = reader.get(probe.objects_url(), params=query).json()
        if not body["more"]:
            break
        tokens.append(body["next"])
        query["next"] = body["next"]
    assert len(tokens) == len(visible) - 1
    if all(t.isdigit() for t in tokens):
        steps = [int(b) - int(a) for a, b in itertools.pairwise(tokens)]
        # Between visible[2] and visible[3] lie the hidden objects; elsewhere nothing.
        assert len(set(steps)) == 1, (
            f"member-analyst's next tokens {tokens} step by {steps}: the step over the "
            f"{len(hidden)} RED objects they may not see gives their number away"
        )
