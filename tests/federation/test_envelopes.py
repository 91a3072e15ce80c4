"""A push batch cut into envelopes that fit the peer's announced max_content_length."""

from __future__ import annotations

from passerelle.federation import outbox
from passerelle.federation.push import envelopes
from passerelle.objects.leaving import Departure


def _leaving(sizes: list[int]) -> list[tuple[outbox.Queued, Departure]]:
    return [
        (
            outbox.Queued(n, f"indicator--{n}", "v"),
            Departure(f"indicator--{n}", "v", "x" * size),
        )
        for n, size in enumerate(sizes)
    ]


def _sizes(cut: list[list[tuple[outbox.Queued, Departure]]]) -> list[list[int]]:
    return [[len(d.body or "") for _r, d in part] for part in cut]


def test_no_limit_sends_the_batch_in_one_envelope() -> None:
    assert _sizes(envelopes(_leaving([10, 20, 30]), None)) == [[10, 20, 30]]
    assert envelopes([], None) == []
    assert envelopes([], 100) == []


def test_envelopes_keep_the_order_and_fit_the_limit() -> None:
    # 14 bytes of envelope, each body and its comma: 14 + 41 + 41 = 96 fits in 100.
    cut = envelopes(_leaving([40, 40, 40, 10, 30]), 100)
    assert _sizes(cut) == [[40, 40], [40, 10, 30]]
    assert [r.id for part in cut for r, _d in part] == [0, 1, 2, 3, 4]


def test_a_version_too_large_alone_goes_alone() -> None:
    assert _sizes(envelopes(_leaving([10, 500, 10]), 100)) == [[10], [500], [10]]


def test_sizes_are_counted_in_bytes_not_characters() -> None:
    leaving = [
        (outbox.Queued(n, f"indicator--{n}", "v"), Departure(f"indicator--{n}", "v", "é" * 20))
        for n in range(2)
    ]
    # 20 characters are 40 bytes: two bodies (82) and the envelope (14) exceed 90.
    assert len(envelopes(leaving, 90)) == 2
