"""TAXII filters and paging fuzzed with hypothesis (issue 12):

- two readers page a collection while envelopes of 1 to 5,000 objects arrive, one by
  ``next``, one by ``added_after`` from the last page's X-TAXII-Date-Added-Last: each
  ends with every object it may see exactly once, and nothing it may not see;
- any filters a client may send: never a 5xx, and an object a reader may not see answers
  exactly like one that does not exist.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from passerelle.app import create_app
from passerelle.policy import directory
from passerelle.policy.directory import Membership
from passerelle.settings import Settings
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from tests.stixgen import indicator
from tests.taxii_client import Taxii
from tests.world import World

# Derandomised and without an example database: CI runs the same examples every time.
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_CHANNELS = itertools.count()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    settings_ = Settings(db_url="unused://", max_content_length=8 * 1024 * 1024)
    with TestClient(create_app(settings_, world.database)) as made:
        yield made


def fresh_channel(world: World) -> str:
    """A channel of its own for one hypothesis example: dgsi writes, fsb reads."""
    with world.database.write() as conn:
        channel = directory.add_channel(
            conn,
            f"fuzz-{next(_CHANNELS)}-{uuid.uuid4().hex[:8]}",
            [Membership("dgsi", True, True), Membership("fsb", True, False)],
        )
    return channel.collection_id


def envelope(size: int, hidden_every: int) -> list[dict[str, Any]]:
    """Indicators, every ``hidden_every``-th TLP:RED for alice alone (boris never sees it)."""
    made = []
    for n in range(size):
        obj = indicator(n % 60000)
        if hidden_every and n % hidden_every == 0:
            obj["object_marking_refs"] = [TLP2_IDS[Tlp.RED]]
            obj["extensions"] = {
                HANDLING_EXTENSION_ID: {
                    "extension_type": "property-extension",
                    "recipients": ["alice"],
                }
            }
        made.append(obj)
    return made


class Reader:
    """A client paging a collection one way or the other, as far as it can go now."""

    def __init__(self, taxii: Taxii, collection: str, limit: int, by_date: bool) -> None:
        self.taxii, self.url, self.limit, self.by_date = (
            taxii,
            f"/collections/{collection}/objects/",
            limit,
            by_date,
        )
        self.seen: list[str] = []
        self.position: dict[str, str] = {}

    def read(self) -> None:
        """Read pages until the server says there is no more, for now."""
        for _ in range(10_000):
            params: dict[str, Any] = {"limit": self.limit, **self.position}
            response = self.taxii.get(self.url, params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            objects = page.get("objects", [])
            assert len(objects) <= self.limit
            self.seen += [o["id"] for o in objects]
            if page.get("next") and not self.by_date:
                self.position = {"next": page["next"]}
            elif objects:
                # Past the end (or paging by date), a client resumes where it stopped: after
                # the last object it read (a next token is only offered while more follow).
                self.position = {"added_after": response.headers["X-TAXII-Date-Added-Last"]}
            if not page["more"]:
                return
        raise AssertionError("paging never ends")


@given(
    sizes=st.lists(st.sampled_from([1, 2, 3, 7, 40, 999, 5000]), min_size=1, max_size=4).filter(
        lambda s: sum(s) <= 6000
    ),
    limit=st.integers(1, 400),
    hidden_every=st.sampled_from([0, 2, 7]),
)
# The envelopes of up to 5,000 objects, split by pages that end inside them.
@example(sizes=[5000, 3, 999], limit=377, hidden_every=7)
@example(sizes=[1, 5000], limit=250, hidden_every=0)
@settings(FUZZ, max_examples=6)
def test_paging_either_way_loses_and_repeats_nothing(
    client: TestClient, world: World, sizes: list[int], limit: int, hidden_every: int
) -> None:
    collection = fresh_channel(world)
    alice = Taxii(client, "alice", world.tokens["alice"])
    boris = Taxii(client, "boris", world.tokens["boris"])
    by_next = Reader(boris, collection, limit, by_date=False)
    by_date = Reader(boris, collection, limit, by_date=True)
    visible: list[str] = []
    for size in sizes:
        sent = envelope(size, hidden_every)
        status = alice.post_objects(collection, sent).json()
        assert status["success_count"] == size, status
        visible += [o["id"] for o in sent if "extensions" not in o]
        # each reader goes as far as it can between two envelopes
        by_next.read()
        by_date.read()
    for reader in (by_next, by_date):
        assert sorted(reader.seen) == sorted(visible)  # every one, once, none hidden


MISSING = "indicator--00000000-0000-4000-8000-000000000000"
filter_values = st.one_of(
    st.none(),
    st.sampled_from(
        ["first", "last", "all", "2026-01-01T00:00:00.000Z", "2099-01-01T00:00:00Z", "2.0", "2.1"]
    ),
    st.text(max_size=30),
)


@given(
    added_after=filter_values,
    version=filter_values,
    spec=filter_values,
    limit=st.one_of(st.none(), st.integers(-3, 2000), st.text(max_size=8)),
    token=st.one_of(st.none(), st.text(max_size=40)),
)
@settings(FUZZ, max_examples=40)
def test_filters_never_fail_and_never_tell_hidden_from_missing(
    client: TestClient,
    world: World,
    added_after: str | None,
    version: str | None,
    spec: str | None,
    limit: int | str | None,
    token: str | None,
) -> None:
    hidden = _hidden_object(world, client)
    boris = Taxii(client, "boris", world.tokens["boris"])
    params = {
        k: v
        for k, v in {
            "added_after": added_after,
            "match[version]": version,
            "match[spec_version]": spec,
            "limit": limit,
            "next": token,
        }.items()
        if v is not None
    }
    collection = world.collection("fr-ru")
    answers = []
    for ident in (hidden, MISSING):
        for path in (f"objects/{ident}/", f"objects/{ident}/versions/"):
            response = boris.get(f"/collections/{collection}/{path}", params=params)
            assert response.status_code < 500, response.text
            headers = sorted((k, v.replace(ident, "<ID>")) for k, v in response.headers.items())
            answers.append((response.status_code, headers, response.text.replace(ident, "<ID>")))
    assert answers[:2] == answers[2:]


_HIDDEN: dict[int, str] = {}


def _hidden_object(world: World, client: TestClient) -> str:
    """A TLP:RED object for alice alone in fr-ru, posted once per world."""
    known = _HIDDEN.get(id(world.database))
    if known is None:
        secret = envelope(1, 1)[0]
        alice = Taxii(client, "alice", world.tokens["alice"])
        assert alice.post_objects(world.collection("fr-ru"), [secret]).json()["success_count"] == 1
        known = _HIDDEN[id(world.database)] = secret["id"]
    return known
