"""The access matrix: every read path shows every viewer exactly what the handling rules allow.

The world (tests/access_world.py) holds one indicator per TLP level plus an unmarked one,
and users of every role in every relation to them: producer organisation, member
organisation, named TLP:RED recipient, client of a member, non-member. Each read path
below has an ``observe`` function (what the path shows one person, as a dict of outcomes)
and an ``expect`` function (what the rules say it must show, derived from
``access_world.sees``); the test compares the two for every person, with no tolerance in
either direction.

To cover a new read path (search, correlation, federation...), write its two functions
and add one ``ReadPath`` to ``READ_PATHS``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from passerelle.cli import cli
from passerelle.objects.search import SearchCursor, SearchFilter, search
from passerelle.policy.roles import Role
from passerelle.stix.markings import Tlp
from passerelle.stix.timestamps import version_key
from passerelle.store.database import Database
from passerelle.store.schema import channel_objects
from tests.access_world import (
    CHANNEL,
    LABELS,
    OWN_CHANNEL,
    PEOPLE,
    VERSIONS,
    AccessWorld,
    Outcomes,
    Person,
    Probe,
    Relation,
    knows_channel,
    may_post,
    open_probe,
    sees,
    wrong_views,
)
from tests.stixgen import as_served
from tests.taxii_client import Taxii

LATEST = "v2"
VERSION_NAMES = {version_key(stamp): name for name, stamp in VERSIONS.items()}


@pytest.fixture
def probe(database: Database, database_url: str) -> Iterator[Probe]:
    """The matrix world on each backend, with an in-process app over it."""
    with open_probe(database, database_url) as found:
        yield found


# Helpers shared by several paths.


def version_name(stamp: str) -> str:
    """Name a version as the world does (v1, v2), or show it as it is."""
    return VERSION_NAMES.get(version_key(stamp), stamp)


def listing(status: int, keys: Iterable[str]) -> Outcomes:
    """Describe a listing: its status and each key listed (with a count if repeated)."""
    found: Outcomes = {"status": str(status)}
    for key, count in Counter(keys).items():
        found[key] = "listed" if count == 1 else f"listed x{count}"
    return found


def expected_listing(person: Person, versions: Iterable[str]) -> Outcomes:
    """The listing of matrix objects the rules let a person read, in these versions."""
    if not knows_channel(person):
        return {"status": "404"}
    keys = [f"{label}@{v}" for label in LABELS if sees(person, label) for v in versions]
    return listing(200, keys)


def page_through(taxii: Taxii, url: str, params: dict[str, Any], key: str) -> tuple[int, list[Any]]:
    """Follow ``more``/``next`` to the end; return the first failing status or 200."""
    found: list[Any] = []
    query = dict(params)
    for _ in range(100):
        response = taxii.get(url, params=query)
        if response.status_code != 200:
            return response.status_code, found
        body = response.json()
        found += body.get(key, [])
        if not body["more"]:
            return 200, found
        query["next"] = body["next"]
    raise AssertionError(f"{url}: pagination never ends")


def object_key(world: AccessWorld, obj: dict[str, Any]) -> str:
    """Name a served object label@version, flagging a body that differs from the one posted
    (as the node serves it: with its producer's identity and the TLP it is handled under)."""
    label = world.label_of(obj["id"])
    version = version_name(obj.get("modified", ""))
    key = f"{label}@{version}"
    posted = world.objects.get(label, {}).get(version)
    if posted is not None and as_served(posted, "producer") != obj:
        key += " (altered)"
    return key


# TAXII: objects, manifest, versions.


def observe_objects(probe: Probe, person: Person, all_versions: bool = False) -> Outcomes:
    params: dict[str, Any] = {"limit": 2}
    if all_versions:
        params["match[version]"] = "all"
    status, objs = page_through(probe.taxii(person), probe.objects_url(), params, "objects")
    return listing(status, (object_key(probe.world, o) for o in objs))


def expect_objects(world: AccessWorld, person: Person) -> Outcomes:
    return expected_listing(person, [LATEST])


def observe_all_versions(probe: Probe, person: Person) -> Outcomes:
    return observe_objects(probe, person, all_versions=True)


def expect_all_versions(world: AccessWorld, person: Person) -> Outcomes:
    return expected_listing(person, VERSIONS)


def observe_manifest(probe: Probe, person: Person) -> Outcomes:
    url = f"/collections/{probe.world.collection}/manifest/"
    status, records = page_through(probe.taxii(person), url, {"limit": 2}, "objects")
    keys = (f"{probe.world.label_of(r['id'])}@{version_name(r['version'])}" for r in records)
    return listing(status, keys)


def by_id_outcome(probe: Probe, person: Person, label: str, params: dict[str, Any]) -> str:
    response = probe.taxii(person).get(probe.objects_url(label), params=params)
    if response.status_code != 200:
        return str(response.status_code)
    body = response.json()
    keys = sorted(object_key(probe.world, o) for o in body.get("objects", []))
    return f"200 {', '.join(keys)}" + (" more" if body.get("more") else "")


def expected_by_id(person: Person, label: str, versions: Iterable[str]) -> str:
    if not (knows_channel(person) and sees(person, label)):
        return "404"
    return "200 " + ", ".join(f"{label}@{v}" for v in versions)


def observe_object_by_id(probe: Probe, person: Person) -> Outcomes:
    return {label: by_id_outcome(probe, person, label, {}) for label in LABELS}


def expect_object_by_id(world: AccessWorld, person: Person) -> Outcomes:
    return {label: expected_by_id(person, label, [LATEST]) for label in LABELS}


def observe_object_by_id_all(probe: Probe, person: Person) -> Outcomes:
    params = {"match[version]": "all"}
    return {label: by_id_outcome(probe, person, label, params) for label in LABELS}


def expect_object_by_id_all(world: AccessWorld, person: Person) -> Outcomes:
    return {label: expected_by_id(person, label, sorted(VERSIONS)) for label in LABELS}


def observe_versions(probe: Probe, person: Person) -> Outcomes:
    found: Outcomes = {}
    for label in LABELS:
        response = probe.taxii(person).get(f"{probe.objects_url(label)}versions/")
        if response.status_code != 200:
            found[label] = str(response.status_code)
        else:
            shown = [version_name(v) for v in response.json().get("versions", [])]
            found[label] = f"200 {', '.join(shown)}"
    return found


def expect_versions(world: AccessWorld, person: Person) -> Outcomes:
    return {
        label: "404" if not (knows_channel(person) and sees(person, label)) else "200 v1, v2"
        for label in LABELS
    }


# TAXII: collections and status.


def rights(can_read: bool, can_write: bool) -> str:
    return ("r" if can_read else "-") + ("w" if can_write else "-")


def observe_collections(probe: Probe, person: Person) -> Outcomes:
    response = probe.taxii(person).get("/collections/")
    found: Outcomes = {"status": str(response.status_code)}
    for entry in response.json().get("collections", []):
        found[entry["title"]] = rights(entry["can_read"], entry["can_write"])
    return found


def expected_channels(person: Person) -> Outcomes:
    """The channels a person may know of, with the rights they hold there."""
    found: Outcomes = {}
    if knows_channel(person):
        found[CHANNEL] = rights(True, may_post(person))
    if person.relation is Relation.NON_MEMBER and person.role is not Role.AUDITOR:
        found[OWN_CHANNEL] = rights(True, True)  # its only member: any role may post
    return found


def expect_collections(world: AccessWorld, person: Person) -> Outcomes:
    return {"status": "200", **expected_channels(person)}


def observe_collection(probe: Probe, person: Person) -> Outcomes:
    found: Outcomes = {}
    for title, channel in probe.world.channels.items():
        response = probe.taxii(person).get(f"/collections/{channel.collection_id}/")
        if response.status_code != 200:
            found[title] = str(response.status_code)
        else:
            body = response.json()
            same = body["id"] == channel.collection_id and body["title"] == title
            found[title] = rights(body["can_read"], body["can_write"]) + ("" if same else " ?")
    return found


def expect_collection(world: AccessWorld, person: Person) -> Outcomes:
    known = expected_channels(person)
    return {title: known.get(title, "404") for title in world.channels}


def observe_status(probe: Probe, person: Person) -> Outcomes:
    found: Outcomes = {}
    for poster, status_id in probe.world.statuses.items():
        response = probe.taxii(person).get(f"/status/{status_id}/")
        if response.status_code != 200:
            found[poster] = str(response.status_code)
            continue
        body = response.json()
        ids = {s["id"] for s in body.get("successes", [])}  # TAXII omits empty lists
        same = body["id"] == status_id and ids == probe.world.status_successes[poster]
        found[poster] = "200" if same else "200 with another content"
    return found


def expect_status(world: AccessWorld, person: Person) -> Outcomes:
    return {
        poster: "200" if person.org == poster and person.role is not Role.AUDITOR else "404"
        for poster in world.statuses
    }


# CLI export.


def observe_export(probe: Probe, person: Person, all_versions: bool = False) -> Outcomes:
    args = ["export", "--channel", CHANNEL] + (["--all-versions"] if all_versions else [])
    env = {"PASSERELLE_DB": probe.database_url, "PASSERELLE_USER": person.username}
    result = probe.runner.invoke(cli, args, env=env, catch_exceptions=False)
    if result.exit_code != 0:
        return {"exit": "refused"}
    document = json.loads(result.stdout)
    found = listing(0, (object_key(probe.world, o) for o in document["objects"]))
    found["exit"] = found.pop("status")
    return found


def expected_export(person: Person, versions: Iterable[str]) -> Outcomes:
    if not knows_channel(person):
        return {"exit": "refused"}
    # TLP:RED is never exported in bulk, even to its producer or its named recipients.
    keys = [
        f"{label}@{v}"
        for label in LABELS
        if label != "RED" and sees(person, label)
        for v in versions
    ]
    found = listing(0, keys)
    found["exit"] = found.pop("status")
    return found


def expect_export(world: AccessWorld, person: Person) -> Outcomes:
    return expected_export(person, [LATEST])


def observe_export_all(probe: Probe, person: Person) -> Outcomes:
    return observe_export(probe, person, all_versions=True)


def expect_export_all(world: AccessWorld, person: Person) -> Outcomes:
    return expected_export(person, VERSIONS)


# CLI export for blocking tools (CSV): the same reader as export, then PAP.


def observe_csv(probe: Probe, person: Person) -> Outcomes:
    args = ["export", "--csv", "--channel", CHANNEL]
    env = {"PASSERELLE_DB": probe.database_url, "PASSERELLE_USER": person.username}
    result = probe.runner.invoke(cli, args, env=env, catch_exceptions=False)
    if result.exit_code != 0:
        return {"exit": "refused"}
    return csv_outcomes(probe, result.stdout)


def csv_outcomes(probe: Probe, text: str) -> Outcomes:
    rows = list(csv.reader(io.StringIO(text)))[1:]
    found = listing(0, (f"{probe.world.label_of(row[2])}@{LATEST}" for row in rows))
    found["exit"] = found.pop("status")
    return found


def observe_misp(probe: Probe, person: Person) -> Outcomes:
    args = ["export", "--misp", "--channel", CHANNEL]
    env = {"PASSERELLE_DB": probe.database_url, "PASSERELLE_USER": person.username}
    result = probe.runner.invoke(cli, args, env=env, catch_exceptions=False)
    if result.exit_code != 0:
        return {"exit": "refused"}
    return misp_outcomes(probe, result.stdout)


def misp_outcomes(probe: Probe, text: str) -> Outcomes:
    event = json.loads(text)["Event"]
    # misp-stix makes each indicator an attribute (or object) of the same UUID.
    items = [*event.get("Attribute", []), *event.get("Object", [])]
    labels = (probe.world.label_of(f"indicator--{item['uuid']}") for item in items)
    found = listing(0, (f"{label}@{LATEST}" for label in labels))
    found["exit"] = found.pop("status")
    return found


# The same exports over REST (what `export --csv|--misp --url` calls).


def observe_rest_tools(probe: Probe, person: Person, form: str) -> Outcomes:
    token = probe.world.tokens[person.username]
    answer = probe.client.get(
        f"/api/export/{form}",
        params={"channel": CHANNEL},
        headers={"Authorization": f"Bearer {token}"},
    )
    if answer.status_code != 200:
        return {"exit": "refused"}
    text = answer.json()["text"]
    return csv_outcomes(probe, text) if form == "csv" else misp_outcomes(probe, text)


def observe_rest_csv(probe: Probe, person: Person) -> Outcomes:
    return observe_rest_tools(probe, person, "csv")


def observe_rest_misp(probe: Probe, person: Person) -> Outcomes:
    return observe_rest_tools(probe, person, "misp")


# The objects layer's search (the web's search page reads it; tests/web/test_access_matrix.py
# covers the page): words through the search index, then the visibility rule.


def observe_search(probe: Probe, person: Person, text: str) -> Outcomes:
    viewer = probe.world.viewer(person.username)
    found: list[str] = []
    after = None
    with probe.world.database.read() as conn:
        for _ in range(20):
            page = search(conn, viewer, SearchFilter(text=text), 2, after)
            found += [
                f"{probe.world.label_of(f.stix_id)}@{version_name(f.version)}" for f in page.found
            ]
            if page.next is None:
                return listing(200, found)
            after = SearchCursor.parse(page.next)
    raise AssertionError("the search's pages never end")


def expect_search(world: AccessWorld, person: Person, labels: Iterable[str] = LABELS) -> Outcomes:
    return listing(200, [f"{label}@{LATEST}" for label in labels if sees(person, label)])


def observe_search_words(probe: Probe, person: Person) -> Outcomes:
    return observe_search(probe, person, "ADDRESS bad")


def observe_search_red(probe: Probe, person: Person) -> Outcomes:
    # The RED indicator's own address, a word no other matrix object holds.
    number = LABELS.index("RED")
    return observe_search(probe, person, f"10.0.0.{number}'")


def expect_search_red(world: AccessWorld, person: Person) -> Outcomes:
    return expect_search(world, person, ["RED"])


def observe_search_short(probe: Probe, person: Person) -> Outcomes:
    # A word of two letters, shorter than the index's trigrams: read from the texts.
    return observe_search(probe, person, "ba")


# The table of read paths.


@dataclass(frozen=True)
class ReadPath:
    """A way of reading content, with what it shows a person and what it should show."""

    name: str
    observe: Callable[[Probe, Person], Outcomes]
    expect: Callable[[AccessWorld, Person], Outcomes]


READ_PATHS = [
    ReadPath("taxii-objects", observe_objects, expect_objects),
    ReadPath("taxii-objects-all-versions", observe_all_versions, expect_all_versions),
    ReadPath("taxii-object-by-id", observe_object_by_id, expect_object_by_id),
    ReadPath("taxii-object-by-id-all-versions", observe_object_by_id_all, expect_object_by_id_all),
    ReadPath("taxii-manifest", observe_manifest, expect_objects),
    ReadPath("taxii-versions", observe_versions, expect_versions),
    ReadPath("taxii-collections", observe_collections, expect_collections),
    ReadPath("taxii-collection", observe_collection, expect_collection),
    ReadPath("taxii-status", observe_status, expect_status),
    ReadPath("cli-export", observe_export, expect_export),
    ReadPath("cli-export-all-versions", observe_export_all, expect_export_all),
    # The matrix's indicators carry no PAP: the CSV holds one row for each exported one.
    ReadPath("cli-export-csv", observe_csv, expect_export),
    ReadPath("cli-export-misp", observe_misp, expect_export),
    ReadPath("rest-export-csv", observe_rest_csv, expect_export),
    ReadPath("rest-export-misp", observe_rest_misp, expect_export),
    ReadPath("objects-search", observe_search_words, expect_search),
    ReadPath("objects-search-one", observe_search_red, expect_search_red),
    ReadPath("objects-search-short-word", observe_search_short, expect_search),
]


@pytest.mark.parametrize("path", READ_PATHS, ids=[p.name for p in READ_PATHS])
def test_read_path_shows_exactly_what_the_handling_rules_allow(
    probe: Probe, path: ReadPath
) -> None:
    failures = wrong_views(
        path.name,
        lambda person: path.expect(probe.world, person),
        lambda person: path.observe(probe, person),
    )
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)


def test_the_expectations_are_not_vacuous() -> None:
    """Every object is seen by someone and hidden from someone; RED differs for the named."""
    for label in LABELS:
        assert any(sees(p, label) for p in PEOPLE), label
        assert not all(sees(p, label) for p in PEOPLE), label
    by_relation = {
        relation: {label for label in LABELS if sees(p, label)}
        for p in PEOPLE
        if p.role is Role.ANALYST
        for relation in [p.relation]
    }
    assert by_relation == {
        Relation.PRODUCER: set(LABELS),
        Relation.MEMBER: set(LABELS) - {"RED"},
        Relation.NAMED: set(LABELS),
        Relation.CLIENT: {"CLEAR", "GREEN", "AMBER", "unmarked"},
        Relation.NON_MEMBER: set(),
    }


def test_the_unmarked_object_took_the_channel_default(probe: Probe) -> None:
    """The unmarked indicator is stored as posted and placed at the channel's TLP:AMBER."""
    with probe.world.database.read() as conn:
        rows = conn.execute(
            select(channel_objects.c.tlp, channel_objects.c.tlp_defaulted).where(
                channel_objects.c.stix_id == probe.world.id_of("unmarked")
            )
        ).all()
    assert [(Tlp(r.tlp), bool(r.tlp_defaulted)) for r in rows] == [(Tlp.AMBER, True)] * 2


def test_can_write_tells_whether_the_server_accepts_a_post(probe: Probe) -> None:
    """TAXII 2.1 section 5.2: can_write says whether *the requester* may add objects."""
    failures = []
    for person in PEOPLE:
        taxii = probe.taxii(person)
        listed = {c["title"]: c for c in taxii.get("/collections/").json().get("collections", [])}
        if CHANNEL not in listed:
            continue
        posted = taxii.post_objects(probe.world.collection, [])
        said = listed[CHANNEL]["can_write"]
        if said != (posted.status_code == 202):
            failures.append(
                f"{person}: can_write is {said}, but an empty envelope gets {posted.status_code}"
            )
    assert not failures, "\n".join(failures)
