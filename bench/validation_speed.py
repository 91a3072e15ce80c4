"""Speed of passerelle.stix.validation.validate_object against stix2.parse.

Run from the repository root:

    .venv/bin/python bench/validation_speed.py            # 10,000 objects per set
    .venv/bin/python bench/validation_speed.py --count 2000

Two sets are timed: indicators with distinct STIX patterns (mostly single
comparisons, about a quarter compound ones; the pattern cache is emptied before
each run, so every pattern is parsed), and a mix of other objects (identities,
reports, relationships, sightings, malware, SCOs...).  Every object is valid,
and the script checks that both validators accept them before timing.  It
prints microseconds per object (best of several runs; stix2.parse is timed on a
sample, it is ~50x slower) for each validator, and the ratio.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import stix2

from passerelle.stix import pattern
from passerelle.stix.validation import validate_object

T0 = "2024-03-01T10:00:00.000Z"
T1 = "2024-03-02T11:30:00.000Z"
IDENTITY = "identity--311b2d2d-f010-4473-83ec-1edf84858f4c"
TLP_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"


def new_id(kind: str, rng: random.Random) -> str:
    return f"{kind}--{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def pattern_for(n: int, rng: random.Random) -> str:
    """A realistic mix: mostly single comparisons, hashes first."""
    draw = rng.random()
    if draw < 0.35:
        return f"[file:hashes.'SHA-256' = '{rng.getrandbits(256):064x}']"
    if draw < 0.50:
        return f"[file:hashes.MD5 = '{rng.getrandbits(128):032x}']"
    if draw < 0.65:
        return f"[ipv4-addr:value = '198.51.{n // 256 % 256}.{n % 256}']"
    if draw < 0.75:
        return f"[domain-name:value = 'host{n}.example.com']"
    if draw < 0.85:
        return f"[url:value = 'https://host{n}.example.net/path/{n}']"
    if draw < 0.93:
        return (
            f"[network-traffic:dst_ref.type = 'ipv4-addr' AND "
            f"network-traffic:dst_ref.value = '203.0.113.{n % 256}'] "
            f"AND [domain-name:value = 'c2-{n}.example.org'] WITHIN 600 SECONDS"
        )
    return f"[file:name = 'dropper{n}.exe' OR file:hashes.'SHA-1' = '{rng.getrandbits(160):040x}']"


def indicators(count: int, rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": new_id("indicator", rng),
            "created": T0,
            "modified": T1,
            "created_by_ref": IDENTITY,
            "name": f"Indicator {n}",
            "indicator_types": ["malicious-activity"],
            "pattern": pattern_for(n, rng),
            "pattern_type": "stix",
            "pattern_version": "2.1",
            "valid_from": T0,
            "labels": ["bench"],
            "object_marking_refs": [TLP_GREEN],
        }
        for n in range(count)
    ]


def mixed_objects(count: int, rng: random.Random) -> list[dict[str, Any]]:
    makers: list[Callable[[int], dict[str, Any]]] = [
        lambda n: {
            "type": "identity",
            "name": f"Org {n}",
            "identity_class": "organization",
            "sectors": ["technology"],
        },
        lambda n: {
            "type": "report",
            "name": f"Report {n}",
            "report_types": ["threat-report"],
            "published": T1,
            "object_refs": [new_id("indicator", rng), new_id("malware", rng)],
        },
        lambda n: {
            "type": "relationship",
            "relationship_type": "indicates",
            "source_ref": new_id("indicator", rng),
            "target_ref": new_id("malware", rng),
        },
        lambda n: {
            "type": "malware",
            "name": f"Malware {n}",
            "is_family": True,
            "malware_types": ["ransomware"],
            "kill_chain_phases": [
                {
                    "kill_chain_name": "lockheed-martin-cyber-kill-chain",
                    "phase_name": "exploitation",
                }
            ],
        },
        lambda n: {
            "type": "sighting",
            "sighting_of_ref": new_id("indicator", rng),
            "count": n % 50,
            "first_seen": T0,
            "last_seen": T1,
            "where_sighted_refs": [IDENTITY],
        },
        lambda n: {
            "type": "attack-pattern",
            "name": f"Technique {n}",
            "external_references": [{"source_name": "mitre-attack", "external_id": f"T{n}"}],
        },
        lambda n: {
            "type": "ipv4-addr",
            "value": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
        },
        lambda n: {"type": "domain-name", "value": f"d{n}.example.com"},
        lambda n: {
            "type": "file",
            "name": f"f{n}.bin",
            "hashes": {"SHA-256": f"{rng.getrandbits(256):064x}"},
        },
    ]
    objects = []
    for n in range(count):
        obj = makers[n % len(makers)](n)
        kind = obj["type"]
        obj = {"spec_version": "2.1", "id": new_id(kind, rng), **obj}
        if kind not in ("ipv4-addr", "domain-name", "file"):
            obj.update(created=T0, modified=T1, created_by_ref=IDENTITY)
        objects.append(obj)
    return objects


def timed(
    validate: Callable[[dict[str, Any]], object], objects: list[dict[str, Any]], repeats: int
) -> float:
    """Best of `repeats` runs, in microseconds per object (the pattern cache is
    emptied before each run, so every pattern is parsed)."""
    best = float("inf")
    for _ in range(repeats):
        pattern._cached_verdict.cache_clear()
        start = time.perf_counter()
        for obj in objects:
            validate(obj)
        best = min(best, time.perf_counter() - start)
    return best / len(objects) * 1e6


def stix2_parse(obj: dict[str, Any]) -> object:
    return stix2.parse(obj, allow_custom=False)


def run(label: str, objects: list[dict[str, Any]], stix2_sample: int) -> Iterator[str]:
    for obj in objects:  # both must accept everything before we time anything
        validate_object(obj)
    for obj in objects[:stix2_sample]:
        stix2_parse(obj)
    ours = timed(validate_object, objects, repeats=5)
    theirs = timed(stix2_parse, objects[:stix2_sample], repeats=2)
    yield (
        f"{label:<14} validate_object {ours:6.2f} us/object   "
        f"stix2.parse {theirs:7.1f} us/object   ratio {theirs / ours:5.0f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="objects per set")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--stix2-sample", type=int, default=2000, help="objects of each set timed with stix2"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sample = min(args.stix2_sample, args.count)
    print(f"{args.count} objects per set (stix2.parse timed on the first {sample}); best of runs")
    for line in run("indicators", indicators(args.count, rng), sample):
        print(line)
    for line in run("mixed objects", mixed_objects(args.count, rng), sample):
        print(line)


if __name__ == "__main__":
    main()
