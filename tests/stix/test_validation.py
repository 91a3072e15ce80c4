"""STIX 2.1 object validation: passerelle.stix.validation.validate_object.

The OASIS ``stix2`` library is the reference: `test_verdicts_agree_with_stix2`
runs a corpus (a valid example of every type, then systematic mutations: each
property and nested value dropped or corrupted) through both validators, and
every disagreement must be one of the documented `DIVERGENCES`.
"""

from __future__ import annotations

import copy
import inspect
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import stix2
import stix2.properties as props
from stix2.base import _STIXBase
from stix2.exceptions import STIXDeprecationWarning
from stix2.registry import class_for_type
from stix2.v21.common import OBJ_MAP_MARKING

from passerelle.stix.validation import InvalidObject, validate_object
from tests.stixgen import refusal

IDENTITY = "identity--311b2d2d-f010-4473-83ec-1edf84858f4c"
TLP_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
EXTENSION = "extension-definition--9c59fd79-4215-4ba2-920d-3e4f320e1e62"
INDICATOR = "indicator--01234567-89ab-4cde-8f01-23456789abcd"
MALWARE = "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"
FILE = "file--0203b5c8-f8b6-4ddb-9ad0-527d727f968b"
SOFTWARE = "software--a1827f6d-ca53-5605-9e93-4316cd22a00a"
SHA256 = "ceafbfd424be2ca4a5f0402cae090dda2fb0526cf521b60b60077c0f622b285a"
T0 = "2016-04-06T20:03:48.000Z"
T1 = "2016-05-07T11:22:30.000Z"


def sdo(kind: str, uuid: str, **properties: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uuid}",
        "created": T0,
        "modified": T1,
        **properties,
    }


def sco(kind: str, uuid: str, **properties: Any) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid}", **properties}


# One valid example of every STIX 2.1 type (mostly the spec's own examples),
# with many optional properties so that mutations reach them.
EXAMPLES: list[dict[str, Any]] = [
    sdo(
        "attack-pattern",
        "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
        name="Spearphishing Attachment",
        created_by_ref=IDENTITY,
        external_references=[{"source_name": "capec", "external_id": "CAPEC-163"}],
        kill_chain_phases=[
            {"kill_chain_name": "mandiant-attack-lifecycle-model", "phase_name": "initial"}
        ],
    ),
    sdo(
        "campaign",
        "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        name="Green Group Attacks Against Finance",
        description="Campaign by Green Group against a series of targets.",
        aliases=["Green Group"],
        first_seen=T0,
        last_seen=T1,
        objective="money",
        labels=["finance"],
        confidence=50,
        lang="en",
    ),
    sdo(
        "course-of-action",
        "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        name="Add TCP port 80 Filter Rule",
        object_marking_refs=[TLP_GREEN],
    ),
    sdo(
        "grouping",
        "84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
        name="The Black Vine Cyberespionage Group",
        context="suspicious-activity",
        object_refs=[INDICATOR, FILE],
    ),
    sdo(
        "identity",
        "311b2d2d-f010-4473-83ec-1edf84858f4c",
        name="ACME Widget, Inc.",
        identity_class="organization",
        sectors=["technology"],
        roles=["analyst"],
        contact_information="soc@example.com",
        revoked=False,
    ),
    sdo("incident", "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", name="Incident 42", description="x"),
    sdo(
        "indicator",
        "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        name="Poison Ivy Malware",
        indicator_types=["malicious-activity"],
        pattern=f"[file:hashes.'SHA-256' = '{SHA256}']",
        pattern_type="stix",
        pattern_version="2.1",
        valid_from="2016-01-01T00:00:00Z",
        valid_until="2017-01-01T00:00:00Z",
        granular_markings=[
            {"marking_ref": TLP_GREEN, "selectors": ["name", "indicator_types.[0]"]}
        ],
    ),
    sdo(
        "infrastructure",
        "38c47d93-d984-4fd9-b87b-d69d0841628d",
        name="Poison Ivy C2",
        infrastructure_types=["command-and-control"],
        first_seen=T0,
        last_seen=T1,
    ),
    sdo(
        "intrusion-set",
        "4e78f46f-a023-4e5f-bc24-71b3ca22ec29",
        name="Bobcat Breakin",
        goals=["Steal bobcat food"],
        resource_level="team",
        primary_motivation="organizational-gain",
        secondary_motivations=["ideology"],
        first_seen=T0,
    ),
    sdo(
        "location",
        "a6e9345f-5a15-4c29-8bb3-7dcc5d168d64",
        latitude=48.8566,
        longitude=2.3522,
        precision=1000.0,
        region="europe",
        country="FR",
    ),
    sdo(
        "malware",
        "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
        name="Cryptolocker",
        malware_types=["ransomware"],
        is_family=True,
        operating_system_refs=[SOFTWARE],
        sample_refs=[FILE],
        capabilities=["accesses-remote-machines"],
        implementation_languages=["c"],
        architecture_execution_envs=["x86"],
    ),
    sdo(
        "malware-analysis",
        "d25dac9e-3a08-4e3a-bb2b-0e1a8f58e0b5",
        product="microsoft",
        version="1.0",
        result="malicious",
        analysis_sco_refs=[FILE],
        sample_ref=FILE,
        host_vm_ref=SOFTWARE,
        submitted=T0,
        analysis_started=T0,
        analysis_ended=T1,
        modules=["mod"],
    ),
    sdo(
        "note",
        "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
        abstract="Tracking Team Note#1",
        content="This note indicates the various steps taken by the threat analyst team.",
        authors=["John Doe"],
        object_refs=["campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"],
    ),
    sdo(
        "observed-data",
        "b67d30ff-02ac-498a-92f9-32f845f448cf",
        first_observed="2015-12-21T19:00:00Z",
        last_observed="2015-12-21T19:00:00Z",
        number_observed=50,
        object_refs=[
            "ipv4-addr--efcd5e80-570d-4131-b213-62cb18eaa6a8",
            "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
        ],
    ),
    sdo(
        "opinion",
        "b01efc25-77b4-4003-b18b-f6e24b5cd9f7",
        explanation="This doesn't seem like it is feasible.",
        authors=["Ursula"],
        opinion="strongly-disagree",
        object_refs=["relationship--16d2358f-3b0d-4c88-b047-0da2f7ed4471"],
    ),
    sdo(
        "report",
        "84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
        name="The Black Vine Cyberespionage Group",
        report_types=["campaign"],
        published="2016-01-20T17:00:00.000Z",
        object_refs=[INDICATOR, "campaign--83422c77-904c-4dc1-aff5-5c38f3a2c55c"],
    ),
    sdo(
        "threat-actor",
        "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        name="Evil Org",
        threat_actor_types=["crime-syndicate"],
        aliases=["Syndicate 1"],
        roles=["director"],
        sophistication="expert",
        personal_motivations=["dominance"],
        first_seen=T0,
        last_seen=T1,
    ),
    sdo(
        "tool",
        "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        name="VNC",
        tool_types=["remote-access"],
        tool_version="1.0",
        kill_chain_phases=[
            {"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": "exploitation"}
        ],
    ),
    sdo(
        "vulnerability",
        "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
        name="CVE-2016-1234",
        external_references=[
            {"source_name": "cve", "external_id": "CVE-2016-1234", "url": "https://example.com"}
        ],
    ),
    sdo(
        "relationship",
        "44298a74-ba52-4f0c-87a3-1824e67d7fad",
        relationship_type="indicates",
        description="This indicator indicates Cryptolocker.",
        source_ref=INDICATOR,
        target_ref=MALWARE,
        start_time=T0,
        stop_time=T1,
    ),
    sdo(
        "sighting",
        "ee20065d-2555-424f-ad9e-0f8428623c75",
        first_seen=T0,
        last_seen=T1,
        count=3,
        summary=False,
        sighting_of_ref=INDICATOR,
        observed_data_refs=["observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf"],
        where_sighted_refs=[IDENTITY, "location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64"],
    ),
    sco(
        "artifact",
        "6f437177-6e48-5cf8-9d9e-872a2bddd641",
        mime_type="application/zip",
        payload_bin="aGVsbG8gd29ybGQ=",
        encryption_algorithm="mime-type-indicated",
        decryption_key="infected",
    ),
    sco(
        "autonomous-system",
        "f720c34b-98ae-597f-ade5-27ef7c2e5e8f",
        number=15139,
        name="Slime Industries",
        rir="ARIN",
    ),
    sco(
        "directory",
        "93c0a9b0-520d-545d-9094-1a08ddf46b05",
        path="C:\\Windows\\System32",
        ctime=T0,
        contains_refs=[FILE],
    ),
    sco(
        "domain-name",
        "3c10e93f-798e-5a26-a0c1-08156efab7f5",
        value="example.com",
        resolves_to_refs=["ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"],
    ),
    sco(
        "email-addr",
        "2d77a846-6264-5d51-b586-e43822ea1ea3",
        value="john@example.com",
        display_name="John Doe",
        belongs_to_ref="user-account--0d5b424b-93b8-5cd8-ac36-306e1789d63c",
    ),
    sco(
        "email-message",
        "0c57a381-2a17-5e61-8754-5ef96efb286c",
        is_multipart=True,
        date="1997-11-21T15:55:06.000Z",
        content_type="multipart/mixed",
        from_ref="email-addr--9b7e29b3-fd8d-562e-b3f0-8fc8134f5dda",
        to_refs=["email-addr--d1b3bf0c-f02a-51a1-8102-11aba7959868"],
        subject="Check out this picture!",
        additional_header_fields={"Content-Disposition": "inline", "X-Mailer": "Mutt"},
        body_multipart=[
            {"content_type": "text/plain", "content_disposition": "inline", "body": "Cats!"},
            {
                "content_type": "image/png",
                "body_raw_ref": "artifact--4cce66f8-6eaa-53cb-85d5-3a85fca3a6c5",
            },
        ],
    ),
    sco(
        "file",
        "9a1f834d-2506-5367-baec-7aa63996ac43",
        name="qwerty.dll",
        size=25536,
        hashes={"SHA-256": SHA256},
        parent_directory_ref="directory--93c0a9b0-520d-545d-9094-1a08ddf46b05",
        extensions={
            "windows-pebinary-ext": {
                "pe_type": "exe",
                "machine_hex": "014c",
                "number_of_sections": 4,
                "sections": [{"name": ".text", "size": 8192, "entropy": 6.5}],
            },
            "archive-ext": {"contains_refs": ["file--019fde1c-94ab-5ba8-9f3c-20ae9f6ff8d8"]},
        },
    ),
    sco(
        "ipv4-addr",
        "ff26c055-6336-5bc5-b98d-13d6226742dd",
        value="198.51.100.3",
        resolves_to_refs=["mac-addr--65cfcf98-8a6e-5a1b-8f61-379ac4f92d00"],
        belongs_to_refs=["autonomous-system--f720c34b-98ae-597f-ade5-27ef7c2e5e8f"],
    ),
    sco("ipv6-addr", "1e61d36c-a16c-53b7-a80f-2a00161c96b1", value="2001:db8::8a2e:370:7334"),
    sco("mac-addr", "65cfcf98-8a6e-5a1b-8f61-379ac4f92d00", value="d2:fb:49:24:37:18"),
    sco("mutex", "eba44954-d4e4-5d3b-814c-2b17dd8de300", name="__CLEANSWEEP__"),
    sco(
        "network-traffic",
        "2568d22a-8998-58eb-99ec-3c8ca74f527d",
        src_ref="ipv4-addr--4d22aae0-2bf9-5427-8819-e4f6abf20a53",
        dst_ref="ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
        protocols=["ipv4", "tcp"],
        src_port=223,
        dst_port=80,
        start=T0,
        end=T1,
        is_active=False,
        src_byte_count=147600,
        ipfix={"minimumIpTotalLength": 32},
        extensions={
            "socket-ext": {
                "is_listening": True,
                "address_family": "AF_INET",
                "socket_type": "SOCK_STREAM",
                "options": {"SO_RCVBUF": 1024},
            },
            "tcp-ext": {"src_flags_hex": "00000002"},
        },
    ),
    sco(
        "process",
        "f52a906a-0dfc-40bd-92f1-e7778ead38a9",
        pid=1221,
        created_time="2016-01-20T14:11:25.55Z",
        command_line="./gedit-bin --new-window",
        image_ref="file--e04f22d1-be2c-59de-add8-10f61d15fe20",
        environment_variables={"PATH": "/usr/bin"},
        extensions={
            "windows-process-ext": {"aslr_enabled": True, "integrity_level": "high"},
            "windows-service-ext": {
                "service_name": "sirvizio",
                "start_type": "SERVICE_AUTO_START",
                "service_type": "SERVICE_WIN32_OWN_PROCESS",
            },
        },
    ),
    sco(
        "software",
        "a1827f6d-ca53-5605-9e93-4316cd22a00a",
        name="Word",
        cpe="cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*",
        version="2002",
        vendor="Microsoft",
        languages=["en"],
    ),
    sco("url", "c1477287-23ac-5971-a010-5c287877fa60", value="https://example.com/index.html"),
    sco(
        "user-account",
        "0d5b424b-93b8-5cd8-ac36-306e1789d63c",
        user_id="1001",
        account_login="jdoe",
        account_type="unix",
        display_name="John Doe",
        is_service_account=False,
        is_privileged=False,
        can_escalate_privs=True,
        account_created=T0,
        extensions={
            "unix-account-ext": {"gid": 1001, "groups": ["wheel"], "home_dir": "/home/jdoe"}
        },
    ),
    sco(
        "windows-registry-key",
        "2ba37ae7-2745-5082-9dfd-9486dad41016",
        key="hkey_local_machine\\system\\bar\\foo",
        values=[{"name": "Foo", "data": "qwerty", "data_type": "REG_SZ"}],
        modified_time=T0,
        number_of_subkeys=2,
    ),
    sco(
        "x509-certificate",
        "463d7b2a-8516-5a50-a3d7-6f801465d5de",
        issuer="C=ZA, ST=Western Cape, L=Cape Town, O=Thawte Consulting cc",
        validity_not_before="2016-03-12T12:00:00Z",
        validity_not_after="2016-08-21T12:00:00Z",
        subject="C=US, ST=Maryland, L=Pasadena, O=Brent Baccala",
        serial_number="36:f7:d4:32:f4:ab:70:ea:d3:ce:98:6e:ea:99:93:49:32:0a:b7:06",
        hashes={"SHA-256": SHA256},
        x509_v3_extensions={
            "basic_constraints": "critical,CA:TRUE",
            "private_key_usage_period_not_before": "2016-03-12T12:00:00Z",
        },
    ),
    {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP_GREEN,
        "created": "2017-01-20T00:00:00.000Z",
        "definition_type": "tlp",
        "name": "TLP:GREEN",
        "definition": {"tlp": "green"},
    },
    {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--d81f86b9-975b-4c0b-875e-810c5ad45a4f",
        "created": "2016-08-01T00:00:00.000Z",
        "created_by_ref": IDENTITY,
        "definition_type": "statement",
        "definition": {"statement": "Copyright 2016, Example Corp"},
    },
    {
        "type": "language-content",
        "spec_version": "2.1",
        "id": "language-content--b86bd89f-98bb-4fa9-8cb2-9ad421da981d",
        "created": "2017-02-08T21:31:22.007Z",
        "modified": "2017-02-08T21:31:22.007Z",
        "object_ref": "campaign--12a111f0-b824-4baf-a224-83b80237a094",
        "object_modified": "2017-02-08T21:31:22.007Z",
        "contents": {
            "de": {"name": "Bank Angriff 1", "description": "Weitere Informationen"},
            "fr": {"name": "Attaque Bank 1"},
        },
    },
    {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": EXTENSION,
        "created_by_ref": IDENTITY,
        "created": "2022-02-02T12:00:00.000Z",
        "modified": "2022-02-02T12:00:00.000Z",
        "name": "Extension Foo Bar",
        "description": "This schema adds two properties to a STIX object at the toplevel",
        "schema": "https://www.example.com/schema-foo-1/v1/",
        "version": "1.2.1",
        "extension_types": ["toplevel-property-extension"],
        "extension_properties": ["toxicity", "rank"],
    },
]
# Custom content that both stix2 and we accept.
CUSTOM_EXAMPLES: list[dict[str, Any]] = [
    sdo(  # a new object type defined by an extension-definition (section 7.3)
        "x-acme-widget",
        "1b8a1e9f-3c8b-4a8e-9d9a-6b8f2a3c4d5e",
        name="Widget",
        widget_size=3,
        extensions={EXTENSION: {"extension_type": "new-sdo"}},
    ),
    sdo(  # properties added at the top level by an extension-definition
        "identity",
        "a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
        name="Extended Corp",
        toxicity=8,
        rank=1,
        extensions={EXTENSION: {"extension_type": "toplevel-property-extension"}},
    ),
]
ALL_EXAMPLES = EXAMPLES + CUSTOM_EXAMPLES
STIX21_TYPES = [
    "attack-pattern",
    "campaign",
    "course-of-action",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "location",
    "malware",
    "malware-analysis",
    "note",
    "observed-data",
    "opinion",
    "report",
    "threat-actor",
    "tool",
    "vulnerability",
    "relationship",
    "sighting",
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
    "marking-definition",
    "language-content",
    "extension-definition",
]

# Required properties per type, from the spec's property tables.
COMMON_REQUIRED = ("type", "spec_version", "id", "created", "modified")
REQUIRED: dict[str, tuple[str, ...]] = {
    "attack-pattern": (*COMMON_REQUIRED, "name"),
    "campaign": (*COMMON_REQUIRED, "name"),
    "course-of-action": (*COMMON_REQUIRED, "name"),
    "grouping": (*COMMON_REQUIRED, "context", "object_refs"),
    "identity": (*COMMON_REQUIRED, "name"),
    "incident": (*COMMON_REQUIRED, "name"),
    "indicator": (*COMMON_REQUIRED, "pattern", "pattern_type", "valid_from"),
    "infrastructure": (*COMMON_REQUIRED, "name"),
    "intrusion-set": (*COMMON_REQUIRED, "name"),
    "location": COMMON_REQUIRED,
    "malware": (*COMMON_REQUIRED, "is_family"),
    "malware-analysis": (*COMMON_REQUIRED, "product"),
    "note": (*COMMON_REQUIRED, "content", "object_refs"),
    "observed-data": (
        *COMMON_REQUIRED,
        "first_observed",
        "last_observed",
        "number_observed",
    ),
    "opinion": (*COMMON_REQUIRED, "opinion", "object_refs"),
    "report": (*COMMON_REQUIRED, "name", "published", "object_refs"),
    "threat-actor": (*COMMON_REQUIRED, "name"),
    "tool": (*COMMON_REQUIRED, "name"),
    "vulnerability": (*COMMON_REQUIRED, "name"),
    "relationship": (*COMMON_REQUIRED, "relationship_type", "source_ref", "target_ref"),
    "sighting": (*COMMON_REQUIRED, "sighting_of_ref"),
    "artifact": ("type", "id"),
    "autonomous-system": ("type", "id", "number"),
    "directory": ("type", "id", "path"),
    "domain-name": ("type", "id", "value"),
    "email-addr": ("type", "id", "value"),
    "email-message": ("type", "id", "is_multipart"),
    "file": ("type", "id"),
    "ipv4-addr": ("type", "id", "value"),
    "ipv6-addr": ("type", "id", "value"),
    "mac-addr": ("type", "id", "value"),
    "mutex": ("type", "id", "name"),
    "network-traffic": ("type", "id", "protocols"),
    "process": ("type", "id"),
    "software": ("type", "id", "name"),
    "url": ("type", "id", "value"),
    "user-account": ("type", "id"),
    "windows-registry-key": ("type", "id"),
    "x509-certificate": ("type", "id"),
    "marking-definition": ("type", "spec_version", "id", "created"),
    "language-content": (*COMMON_REQUIRED, "object_ref", "contents"),
    "extension-definition": (
        *COMMON_REQUIRED,
        "created_by_ref",
        "name",
        "schema",
        "version",
        "extension_types",
    ),
}


def example(kind: str) -> dict[str, Any]:
    """A fresh copy of the example of that type."""
    return copy.deepcopy(next(obj for obj in EXAMPLES if obj["type"] == kind))


def reason_for(obj: object) -> str:
    with pytest.raises(InvalidObject) as caught:
        validate_object(obj)
    assert caught.value.reason == str(caught.value)
    return caught.value.reason


def with_(kind: str, **changes: Any) -> dict[str, Any]:
    obj = example(kind)
    obj.update(changes)
    return obj


def without(kind: str, *names: str) -> dict[str, Any]:
    obj = example(kind)
    for name in names:
        del obj[name]
    return obj


# -- every type ----------------------------------------------------------------


def test_examples_cover_every_stix21_type() -> None:
    assert sorted({obj["type"] for obj in EXAMPLES}) == sorted(STIX21_TYPES)
    assert sorted(REQUIRED) == sorted(STIX21_TYPES)


@pytest.mark.parametrize("obj", ALL_EXAMPLES, ids=lambda obj: obj["type"])
def test_valid_example_is_accepted(obj: dict[str, Any]) -> None:
    assert refusal(copy.deepcopy(obj)) is None


@pytest.mark.parametrize(
    ("kind", "name"),
    [(kind, name) for kind, names in REQUIRED.items() for name in names],
)
def test_missing_required_property_is_rejected_naming_it(kind: str, name: str) -> None:
    reason = reason_for(without(kind, name))
    assert f"'{name}'" in reason


def test_rejection_reason_starts_with_the_object_id() -> None:
    reason = reason_for(with_("campaign", first_seen="yesterday"))
    assert reason == (
        "campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: "
        "property 'first_seen' is not a STIX timestamp ('yesterday')"
    )


# -- the object itself, its type, id and spec_version -----------------------------


@pytest.mark.parametrize("value", [None, [], "indicator", 42, [example("identity")]])
def test_value_that_is_not_a_json_object_is_rejected(value: object) -> None:
    assert "JSON object" in reason_for(value)


@pytest.mark.parametrize("kind", [None, 7, "Indicator", "ab", "-abc", "a--b", "x" * 251, "a_b"])
def test_invalid_type_name_is_rejected(kind: object) -> None:
    obj = example("identity")
    obj["type"] = kind
    assert "'type'" in reason_for(obj)


def test_bundle_is_not_accepted_as_an_object() -> None:
    bundle = {
        "type": "bundle",
        "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": [example("identity")],
    }
    assert "bundle" in reason_for(bundle)


def test_object_without_type_is_rejected() -> None:
    assert "'type' is missing" in reason_for(without("identity", "type"))


@pytest.mark.parametrize(
    "identifier",
    [
        "identity--311b2d2d-f010-4473-83ec-1edf84858f4",  # too short
        "identity--311b2d2d-f010-4473-c3ec-1edf84858f4c",  # not the RFC 4122 variant
        "identity--311b2d2df010447383ec1edf84858f4c",  # no hyphens
        "identity--{311b2d2d-f010-4473-83ec-1edf84858f4c}",
        "identity-311b2d2d-f010-4473-83ec-1edf84858f4c",
        "campaign--311b2d2d-f010-4473-83ec-1edf84858f4c",  # prefix is another type
        "identity--311b2d2d-f010-4473-83ec-1edf84858f4c ",
        311,
    ],
)
def test_bad_identifier_is_rejected(identifier: object) -> None:
    assert "'id'" in reason_for(with_("identity", id=identifier))


@pytest.mark.parametrize(
    "identifier",
    [
        "identity--311B2D2D-F010-4473-83EC-1EDF84858F4C",
        "identity--311b2d2d-f010-1473-83ec-1edf84858f4c",  # UUID version 1
        "identity--311b2d2d-f010-5473-b3ec-1edf84858f4c",  # UUID version 5
    ],
)
def test_identifier_with_any_uuid_version_and_case_is_accepted(identifier: str) -> None:
    assert refusal(with_("identity", id=identifier)) is None


@pytest.mark.parametrize("kind", ["indicator", "ipv4-addr"])
@pytest.mark.parametrize("version", ["2.0", "2.2", 2.1, None, ""])
def test_spec_version_other_than_2_1_is_rejected(kind: str, version: object) -> None:
    assert "'spec_version'" in reason_for(with_(kind, spec_version=version))


@pytest.mark.parametrize("kind", ["indicator", "relationship", "marking-definition"])
def test_stix_2_0_object_without_spec_version_is_rejected(kind: str) -> None:
    assert "'spec_version' is missing" in reason_for(without(kind, "spec_version"))


def test_cyber_observable_without_spec_version_is_accepted() -> None:
    assert refusal(without("ipv4-addr", "spec_version")) is None


# -- timestamps -------------------------------------------------------------------


@pytest.mark.parametrize(
    "timestamp",
    [
        "2016-04-06T20:03:48Z",
        "2016-04-06T20:03:48.1Z",
        "2016-04-06T20:03:48.123456Z",
        "2016-02-29T00:00:00Z",
        "2000-02-29T23:59:59.999Z",
    ],
)
def test_valid_timestamp_is_accepted(timestamp: str) -> None:
    assert refusal(with_("campaign", first_seen=timestamp, last_seen=timestamp)) is None


@pytest.mark.parametrize(
    "timestamp",
    [
        "2016-13-01T00:00:00Z",
        "2016-04-31T00:00:00Z",
        "2015-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2016-04-06T24:00:00Z",
        "2016-04-06T20:60:00Z",
        "2016-04-06T20:03:60Z",  # no leap seconds (Python's datetime, hence stix2)
        "2016-04-06T20:03:48",
        "2016-04-06T20:03:48+00:00",
        "2016-04-06 20:03:48Z",
        "2016-04-06t20:03:48z",
        "2016-4-6T20:03:48Z",
        "2016-04-06T20:03:48.Z",
        "2016-04-06T20:03:48.1234567Z",  # stix2 takes at most 6 fractional digits
        "0000-01-01T00:00:00Z",
        "2016-04-06",
        "",
        1459973028,
    ],
)
def test_invalid_timestamp_is_rejected_naming_the_property(timestamp: object) -> None:
    reason = reason_for(with_("campaign", first_seen=timestamp))
    assert "property 'first_seen' is not a STIX timestamp" in reason


def test_modified_before_created_is_rejected() -> None:
    reason = reason_for(with_("identity", modified="2016-04-06T20:03:47.999Z"))
    assert "'modified' must be later than or equal to 'created'" in reason


def test_modified_equal_to_created_with_other_precision_is_accepted() -> None:
    assert refusal(with_("identity", created="2016-04-06T20:03:48Z", modified=T0)) is None


def test_valid_until_not_after_valid_from_is_rejected() -> None:
    obj = with_("indicator", valid_until="2016-01-01T00:00:00.000Z")
    assert "'valid_until' must be later than 'valid_from'" in reason_for(obj)


def test_last_seen_before_first_seen_is_rejected() -> None:
    assert "'last_seen'" in reason_for(with_("campaign", first_seen=T1, last_seen=T0))


def test_stop_time_before_start_time_is_rejected() -> None:
    assert "'stop_time'" in reason_for(with_("relationship", start_time=T1, stop_time=T0))


# -- common properties -----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"confidence": 101}, "confidence"),
        ({"confidence": -1}, "confidence"),
        ({"confidence": "50"}, "confidence"),
        ({"revoked": "true"}, "revoked"),
        ({"labels": []}, "labels"),
        ({"labels": ["ok", 3]}, "labels[1]"),
        ({"labels": None}, "labels"),
        ({"lang": "not a language"}, "lang"),
        ({"external_references": [{"source_name": "cve"}]}, "external_references[0]"),
        ({"external_references": [{"url": "https://x"}]}, "external_references[0].source_name"),
        ({"external_references": [{"source_name": "a", "url": "u", "x": 1}]}, ".x"),
        (
            {"external_references": [{"source_name": "a", "hashes": {"SHA-256": "abc"}}]},
            "external_references[0].hashes.SHA-256",
        ),
        ({"object_marking_refs": [IDENTITY]}, "object_marking_refs[0]"),
        ({"created_by_ref": TLP_GREEN}, "created_by_ref"),
        ({"created_by_ref": "not-an-id"}, "created_by_ref"),
        ({"extensions": {}}, "extensions"),
        ({"extensions": {"archive-ext": {"contains_refs": [FILE]}}}, "extensions.archive-ext"),
        ({"extensions": {"extension-definition--nope": {}}}, "extensions.extension-definition"),
        ({"extensions": {EXTENSION: {"extension_type": "new-thing"}}}, ".extension_type"),
    ],
)
def test_bad_common_property_is_rejected_naming_it(changes: dict[str, Any], named: str) -> None:
    assert named in reason_for(with_("campaign", **changes))


@pytest.mark.parametrize(
    "marking",
    [
        {"marking_ref": TLP_GREEN, "lang": "en", "selectors": ["name"]},
        {"selectors": ["name"]},
    ],
    ids=["both", "neither"],
)
def test_granular_marking_needs_exactly_one_of_lang_and_marking_ref(
    marking: dict[str, Any],
) -> None:
    reason = reason_for(with_("campaign", granular_markings=[marking]))
    assert "granular_markings[0]" in reason


def test_granular_marking_selector_must_select_something_present() -> None:
    markings = [{"marking_ref": TLP_GREEN, "selectors": ["description", "aliases.[1]"]}]
    reason = reason_for(with_("campaign", granular_markings=markings))
    assert "granular_markings[0].selectors[1]" in reason


def test_granular_marking_selector_may_reach_into_lists_and_objects() -> None:
    markings = [{"lang": "fr", "selectors": ["external_references.[0].external_id", "name"]}]
    assert refusal(with_("attack-pattern", granular_markings=markings)) is None


# -- custom content ---------------------------------------------------------------


def test_custom_property_prefixed_x_is_accepted() -> None:
    obj = with_("indicator", x_acme_score=7, x_acme_tags=["a"], x_acme_obj={"k": 1})
    assert refusal(obj) is None


@pytest.mark.parametrize("name", ["score", "acme_score", "external_id", "created_by"])
def test_unknown_property_is_rejected_naming_it(name: str) -> None:
    reason = reason_for(with_("indicator", **{name: 1}))
    assert f"property '{name}' is not a STIX 2.1 property of indicator" in reason


@pytest.mark.parametrize("name", ["x_Acme", "x-acme", "x_", "x_" + "a" * 249, "x_acme score"])
def test_custom_property_with_invalid_name_is_rejected(name: str) -> None:
    assert "is not a valid property name" in reason_for(with_("indicator", **{name: 1}))


def test_custom_reference_properties_holding_identifiers_are_accepted() -> None:
    assert refusal(with_("indicator", x_acme_owner_ref=IDENTITY, x_acme_seen_refs=[FILE])) is None


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"x_acme_owner_ref": "bob"}, "'x_acme_owner_ref'"),
        ({"x_acme_seen_refs": ["bob"]}, "'x_acme_seen_refs[0]'"),
        ({"x_acme_seen_refs": IDENTITY}, "'x_acme_seen_refs'"),
    ],
)
def test_custom_reference_property_not_holding_identifiers_is_rejected(
    changes: dict[str, Any], named: str
) -> None:
    assert named in reason_for(with_("indicator", **changes))


def test_toplevel_property_extension_allows_extra_properties() -> None:
    extensions = {EXTENSION: {"extension_type": "toplevel-property-extension"}}
    assert refusal(with_("identity", toxicity=8, extensions=extensions)) is None


def test_extra_property_without_toplevel_property_extension_is_rejected() -> None:
    extensions = {EXTENSION: {"extension_type": "property-extension"}}
    assert "'toxicity'" in reason_for(with_("identity", toxicity=8, extensions=extensions))


def test_object_of_extension_defined_sdo_type_is_accepted() -> None:
    assert refusal(copy.deepcopy(CUSTOM_EXAMPLES[0])) is None


def test_object_of_extension_defined_sco_type_needs_no_spec_version_nor_dates() -> None:
    observable = {
        "type": "x-acme-sensor",
        "id": "x-acme-sensor--1b8a1e9f-3c8b-4a8e-9d9a-6b8f2a3c4d5e",
        "serial": "A-1",
        "extensions": {EXTENSION: {"extension_type": "new-sco"}},
    }
    assert refusal(observable) is None


@pytest.mark.parametrize(
    ("changes", "removed", "named"),
    [
        ({}, ("created",), "'created' is missing"),
        ({"created_by_ref": FILE}, (), "'created_by_ref'"),
    ],
)
def test_object_of_extension_defined_type_gets_the_common_checks(
    changes: dict[str, Any], removed: tuple[str, ...], named: str
) -> None:
    obj = copy.deepcopy(CUSTOM_EXAMPLES[0])
    for name in removed:
        del obj[name]
    obj.update(changes)
    assert named in reason_for(obj)


@pytest.mark.parametrize(
    "extensions",
    [None, {}, {EXTENSION: {"extension_type": "property-extension"}}, {"x-acme-ext": {"a": 1}}],
)
def test_unknown_object_type_without_new_object_extension_is_rejected(
    extensions: dict[str, Any] | None,
) -> None:
    obj = copy.deepcopy(CUSTOM_EXAMPLES[0])
    del obj["extensions"]
    if extensions is not None:
        obj["extensions"] = extensions
    assert "is not a STIX 2.1 type" in reason_for(obj)


def test_deprecated_custom_extension_prefixed_x_is_accepted_on_an_observable() -> None:
    obj = example("file")
    obj["extensions"]["x-acme-ext"] = {"anything": [1, 2]}
    assert refusal(obj) is None


def test_predefined_extension_of_another_observable_type_is_rejected() -> None:
    obj = example("domain-name")
    obj["extensions"] = {"archive-ext": {"contains_refs": [FILE]}}
    assert "'extensions.archive-ext'" in reason_for(obj)


@pytest.mark.parametrize(
    ("kind", "extension", "changes", "named"),
    [
        ("network-traffic", "socket-ext", {"address_family": "AF_MARS"}, ".address_family"),
        ("network-traffic", "socket-ext", {"options": {"BOGUS": 1}}, ".options.BOGUS"),
        ("network-traffic", "socket-ext", {"options": {"SO_RCVBUF": "1"}}, ".options.SO_RCVBUF"),
        ("network-traffic", "tcp-ext", {"src_flags_hex": "2"}, ".src_flags_hex"),
        ("file", "windows-pebinary-ext", {"pe_type": 7}, ".pe_type"),
        ("file", "archive-ext", {"comment": "no contains_refs"}, "extensions.archive-ext"),
        ("process", "windows-process-ext", {"integrity_level": "ultra"}, ".integrity_level"),
        ("user-account", "unix-account-ext", {"gid": "1001"}, ".gid"),
    ],
)
def test_predefined_extension_content_is_validated(
    kind: str, extension: str, changes: dict[str, Any], named: str
) -> None:
    obj = example(kind)
    if extension == "archive-ext":
        obj["extensions"][extension] = changes
    else:
        obj["extensions"][extension].update(changes)
    reason = reason_for(obj)
    assert f"extensions.{extension}" in reason
    assert named in reason


def test_predefined_extension_nested_object_is_validated() -> None:
    obj = example("file")
    obj["extensions"]["windows-pebinary-ext"]["sections"][0]["size"] = -1
    assert "windows-pebinary-ext.sections[0].size" in reason_for(obj)


# -- references -------------------------------------------------------------------

RELATIONSHIP_ID = "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"
SIGHTING_ID = "sighting--ee20065d-2555-424f-ad9e-0f8428623c75"


@pytest.mark.parametrize(
    ("kind", "changes", "named"),
    [
        ("relationship", {"source_ref": RELATIONSHIP_ID}, "source_ref"),
        ("relationship", {"target_ref": SIGHTING_ID}, "target_ref"),
        ("relationship", {"target_ref": TLP_GREEN}, "target_ref"),
        ("relationship", {"source_ref": "language-content--" + INDICATOR[11:]}, "source_ref"),
        ("sighting", {"sighting_of_ref": FILE}, "sighting_of_ref"),
        ("sighting", {"sighting_of_ref": RELATIONSHIP_ID}, "sighting_of_ref"),
        ("sighting", {"observed_data_refs": [INDICATOR]}, "observed_data_refs[0]"),
        ("sighting", {"where_sighted_refs": [IDENTITY, INDICATOR]}, "where_sighted_refs[1]"),
        ("report", {"object_refs": [INDICATOR, TLP_GREEN]}, "object_refs[1]"),
        ("observed-data", {"object_refs": [INDICATOR]}, "object_refs[0]"),
        ("malware", {"sample_refs": [INDICATOR]}, "sample_refs[0]"),
        ("network-traffic", {"src_ref": FILE}, "src_ref"),
        ("email-message", {"to_refs": [IDENTITY]}, "to_refs[0]"),
        ("file", {"parent_directory_ref": FILE}, "parent_directory_ref"),
        ("marking-definition", {"created_by_ref": FILE}, "created_by_ref"),
    ],
)
def test_reference_to_wrong_object_type_is_rejected(
    kind: str, changes: dict[str, Any], named: str
) -> None:
    assert f"property '{named}' must refer to" in reason_for(with_(kind, **changes))


def test_relationship_may_link_observables_and_custom_objects() -> None:
    custom = "x-acme-widget--1b8a1e9f-3c8b-4a8e-9d9a-6b8f2a3c4d5e"
    assert refusal(with_("relationship", source_ref=FILE, target_ref=custom)) is None


# -- type-specific rules ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "changes", "removed", "named"),
    [
        ("opinion", {"opinion": "meh"}, (), "opinion"),
        ("location", {}, ("latitude", "longitude", "precision", "region", "country"), "object"),
        ("location", {}, ("longitude",), "longitude"),
        ("location", {"latitude": 91.0}, (), "latitude"),
        ("location", {}, ("latitude", "longitude"), "precision"),
        ("malware", {"is_family": "yes"}, (), "is_family"),
        ("malware", {}, ("name",), "name"),
        ("malware-analysis", {}, ("result", "analysis_sco_refs"), "object"),
        ("note", {"object_refs": []}, (), "object_refs"),
        ("report", {"object_refs": []}, (), "object_refs"),
        ("grouping", {"object_refs": []}, (), "object_refs"),
        ("observed-data", {"object_refs": []}, (), "object_refs"),
        ("observed-data", {"number_observed": 0}, (), "number_observed"),
        ("observed-data", {"objects": {"0": {"type": "file", "name": "a"}}}, (), "object"),
        ("indicator", {"pattern": "[file:name = 'x'"}, (), "pattern"),
        ("indicator", {"pattern_type": "stix", "pattern": "file:name = 'x'"}, (), "pattern"),
        ("sighting", {"count": 1_000_000_000}, (), "count"),
        ("artifact", {"url": "https://example.com/a.zip"}, (), "object"),
        ("artifact", {"url": "https://example.com/a.zip"}, ("payload_bin",), "hashes"),
        ("artifact", {"payload_bin": "not base64!"}, (), "payload_bin"),
        ("email-message", {"body": "text"}, (), "body"),
        ("email-message", {"is_multipart": False}, (), "body_multipart"),
        ("file", {}, ("name", "hashes"), "object"),
        ("file", {"hashes": {"MD5": "abc"}}, (), "hashes.MD5"),
        ("file", {"magic_number_hex": "abc"}, (), "magic_number_hex"),
        ("network-traffic", {}, ("src_ref", "dst_ref"), "object"),
        ("network-traffic", {"is_active": True}, (), "is_active"),
        ("network-traffic", {"dst_port": 65536}, (), "dst_port"),
        (
            "process",
            {},
            (
                "pid",
                "created_time",
                "command_line",
                "image_ref",
                "environment_variables",
                "extensions",
            ),
            "object",
        ),
        (
            "windows-registry-key",
            {"values": [{"data_type": "REG_BOGUS"}]},
            (),
            "values[0].data_type",
        ),
        (
            "x509-certificate",
            {},
            (
                "issuer",
                "validity_not_before",
                "validity_not_after",
                "subject",
                "serial_number",
                "hashes",
                "x509_v3_extensions",
            ),
            "object",
        ),
        ("marking-definition", {"definition": {"tlp": "purple"}}, (), "definition.tlp"),
        ("marking-definition", {"id": "marking-definition--" + INDICATOR[11:]}, (), "id"),
        ("marking-definition", {"definition_type": "color"}, (), "definition_type"),
        ("marking-definition", {}, ("definition",), "object"),
        ("extension-definition", {"extension_types": ["new-thing"]}, (), "extension_types[0]"),
        ("language-content", {"contents": {}}, (), "contents"),
    ],
)
def test_type_specific_rule_violation_is_rejected(
    kind: str, changes: dict[str, Any], removed: tuple[str, ...], named: str
) -> None:
    obj = without(kind, *removed)
    obj.update(changes)
    reason = reason_for(obj)
    assert (f"property '{named}'" if named != "object" else ": object ") in reason


def test_indicator_with_another_pattern_language_is_not_parsed() -> None:
    snort = with_("indicator", pattern="alert tcp any any -> any 80", pattern_type="snort")
    assert refusal(snort) is None


def test_observed_data_with_deprecated_objects_instead_of_refs_is_accepted() -> None:
    obj = without("observed-data", "object_refs")
    obj["objects"] = {"0": {"type": "ipv4-addr", "value": "198.51.100.3"}}
    assert refusal(obj) is None


def test_ended_network_traffic_must_say_it_is_not_active() -> None:
    obj = without("network-traffic", "is_active")
    assert "'is_active'" in reason_for(obj)


# -- reasons stay short -------------------------------------------------------------


HUGE = "A\n" * 50_000


@pytest.mark.parametrize(
    "obj",
    [
        with_("identity", name=["x"] * 100_000),
        with_("identity", **{"x_" + "a" * 10_000: 1}),
        with_("identity", **{"b" * 10_000: 1}),
        with_("identity", created=HUGE),
        with_("identity", id=HUGE),
        {"type": HUGE},
        {
            "type": "x-" + "a" * 200,
            "id": HUGE,
            "extensions": {EXTENSION: {"extension_type": "new-sdo"}},
        },
        with_("identity", confidence=10**5000),
        with_("file", hashes={"SHA-256": HUGE}),
        with_("identity", external_references=[{"source_name": HUGE, "x" * 250: 1}]),
    ],
    ids=[
        "long-list",
        "long-custom-name",
        "long-unknown-name",
        "long-timestamp",
        "long-id",
        "long-type",
        "long-custom-type",
        "huge-integer",
        "long-hash",
        "long-embedded",
    ],
)
def test_reason_is_one_line_with_a_short_excerpt_of_user_data(obj: dict[str, Any]) -> None:
    reason = reason_for(obj)
    assert "\n" not in reason
    assert len(reason) < 300, reason[:400]


# -- differential testing against stix2 -------------------------------------------------

DROP = object()
SCALAR_CORRUPTIONS: list[object] = [
    None,
    12345,
    "not a valid value",
    "2016-13-45T99:00:00Z",
    True,
    [],
    {},
    ["x"],
    {"x_key": "value"},
    1.5,
    "",
]
NESTED_CORRUPTIONS: list[object] = [None, 7, "x", [], {}]
TIMESTAMP_VARIANTS = [
    "2016-04-06T20:03:48Z",
    "2016-04-06T20:03:48.1234567Z",
    "2016-04-06t20:03:48z",
    "2016-4-6T20:03:48Z",
    "2016-02-30T00:00:00Z",
    "2016-04-06T24:00:00Z",
    "2016-04-06T20:03:60Z",
    "2016-04-06 20:03:48Z",
    "2016-04-06T20:03:48+00:00",
    "2016-04-06T20:03:48.Z",
    "2000-02-29T00:00:00.5Z",
    "1900-02-29T00:00:00Z",
]
TYPES_TO_POINT_AT = [
    "identity",
    "relationship",
    "marking-definition",
    "software",
    "file",
    "x-acme-thing",
    "observed-data",
    "location",
    "sighting",
    "language-content",
    "extension-definition",
    "bundle",
]
TIMESTAMP_RE = re.compile(r"\d{4}-\d\d-\d\dT")
IDENTIFIER_RE = re.compile(r"([a-z0-9-]+)--([0-9a-f-]{36})$")


def identifier_variants(value: str) -> Iterator[str]:
    match = IDENTIFIER_RE.match(value)
    assert match is not None
    kind, uuid = match.groups()
    yield f"{kind}--{uuid.upper()}"
    yield f"{kind}--{uuid[:19]}c{uuid[20:]}"  # not the RFC 4122 variant
    yield f"{kind}--{uuid[:14]}1{uuid[15:]}"  # UUID version 1
    yield f"{kind}--{uuid.replace('-', '')}"
    yield f"{kind}--{{{uuid}}}"
    yield from (f"{other}--{uuid}" for other in TYPES_TO_POINT_AT if other != kind)


def replacements(value: object, nested: bool) -> Iterator[object]:
    yield from NESTED_CORRUPTIONS if nested else SCALAR_CORRUPTIONS
    if isinstance(value, str) and TIMESTAMP_RE.match(value):
        yield from TIMESTAMP_VARIANTS
    if isinstance(value, str) and IDENTIFIER_RE.match(value):
        yield from identifier_variants(value)


Path = tuple[str | int, ...]


def mutation_points(node: object, path: Path = ()) -> Iterator[tuple[Path, object]]:
    """(path, replacement or DROP) for every value under `node`, recursively."""
    if isinstance(node, dict):
        children: Any = node.items()
    elif isinstance(node, list):
        children = enumerate(node)
    else:
        return
    for key, child in children:
        if isinstance(node, dict):
            yield (*path, key), DROP
        for replacement in replacements(child, nested=bool(path)):
            yield (*path, key), replacement
        yield from mutation_points(child, (*path, key))


def mutated(obj: dict[str, Any], path: Path, replacement: object) -> dict[str, Any]:
    result = copy.deepcopy(obj)
    node: Any = result
    for step in path[:-1]:
        node = node[step]
    if replacement is DROP:
        del node[path[-1]]
    else:
        node[path[-1]] = copy.deepcopy(replacement)
    return result


@dataclass(frozen=True)
class Mutation:
    original: dict[str, Any]
    path: Path
    value: object  # the replacement, or DROP
    obj: dict[str, Any]


def corpus() -> Iterator[Mutation]:
    for original in ALL_EXAMPLES:
        yield Mutation(original, (), DROP, copy.deepcopy(original))  # unchanged
        for path, value in mutation_points(original):
            yield Mutation(original, path, value, mutated(original, path, value))
        for name in ("x_acme_score", "acme_score", "x_Acme"):
            yield Mutation(original, (name,), 1, {**copy.deepcopy(original), name: 1})


@dataclass(frozen=True)
class Verdicts:
    ours: str | None  # our reason, None when accepted
    stix2: str | None  # stix2's exception, None when accepted
    stix2_returned_dict: bool  # stix2 gave the dict back unvalidated (unknown type)


def stix2_verdict(obj: dict[str, Any]) -> tuple[str | None, bool]:
    """stix2.parse(obj, allow_custom=False) accepting obj as a STIX 2.1 object."""
    try:
        with warnings.catch_warnings():
            # observed-data "objects" is deprecated in 2.1; stix2 says so, fine.
            warnings.simplefilter("ignore", STIXDeprecationWarning)
            parsed = stix2.parse(copy.deepcopy(obj), allow_custom=False)
    except Exception as error:  # stix2 raises many kinds; all mean "invalid"
        return f"{type(error).__name__}: {error}", False
    if isinstance(parsed, dict):
        return None, True
    if not type(parsed).__module__.startswith("stix2.v21"):
        return "parsed as a STIX 2.0 object", False
    return None, False


def verdicts(obj: dict[str, Any]) -> Verdicts:
    try:
        validate_object(obj)
        ours = None
    except InvalidObject as invalid:
        ours = invalid.reason
    theirs, returned_dict = stix2_verdict(obj)
    return Verdicts(ours, theirs, returned_dict)


def stix2_property(mutation: Mutation) -> object:
    """The stix2 Property (or class) that validates the mutated value, if any."""
    node: Any = class_for_type(mutation.original["type"], "2.1", "objects") or class_for_type(
        mutation.original["type"], "2.1", "observables"
    )
    for step in mutation.path:
        if isinstance(node, props.ListProperty) and isinstance(step, int):
            node = node.contained
        elif isinstance(node, props.EmbeddedObjectProperty) and isinstance(step, str):
            node = node.type._properties.get(step)
        elif isinstance(node, props.ExtensionsProperty) and isinstance(step, str):
            node = class_for_type(step, "2.1", "extensions")
        elif type(node).__name__ == "MarkingProperty" and isinstance(step, str):
            node = OBJ_MAP_MARKING[mutation.original["definition_type"]]._properties.get(step)
        elif inspect.isclass(node) and issubclass(node, _STIXBase) and isinstance(step, str):
            stix_class: Any = node
            node = stix_class._properties.get(step)
        else:
            return None
    return node


LENIENT_TIMESTAMP_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}[tT]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?[zZ]")
STRING_PROPERTIES = (props.StringProperty, props.OpenVocabProperty, props.PatternProperty)


@dataclass(frozen=True)
class Divergence:
    """A documented way in which our verdict differs from stix2's."""

    why: str
    stix2_accepts: bool
    applies: Callable[[Mutation, Verdicts, Any], bool]


def _has_default(prop: Any) -> bool:
    return (
        isinstance(prop, props.Property)
        and hasattr(prop, "default")
        and not hasattr(prop, "_fixed_value")
    )


def _leaf(m: Mutation) -> object:
    return m.path[-1] if m.path else None


DIVERGENCES = [
    # stix2 is laxer than the spec (or than JSON) -----------------------------
    Divergence(
        "stix2 supplies a default (id, created, modified, valid_from, revoked...) for a "
        "property that is missing, null or []; the spec requires id/created/modified/valid_from",
        True,
        lambda m, v, p: (m.value is DROP or m.value in (None, [])) and _has_default(p),
    ),
    Divergence(
        "stix2 treats null and [] as an absent optional property; JSON null is not a STIX "
        "value and the spec forbids empty lists",
        True,
        lambda m, v, p: m.value in (None, []) and isinstance(p, props.Property) and not p.required,
    ),
    Divergence(
        "stix2 turns any value into a string with str() (numbers, lists, objects)",
        True,
        lambda m, v, p: type(p) in STRING_PROPERTIES and "is not a string" in (v.ours or ""),
    ),
    Divergence(
        "stix2 iterates a string or an object where a list is expected",
        True,
        lambda m, v, p: (
            isinstance(p, props.ListProperty)
            and isinstance(m.value, str | dict)
            and "is not a list" in (v.ours or "")
        ),
    ),
    Divergence(
        "stix2 coerces integers, floats and booleans (int(1.5), float(True), 'true', 1...)",
        True,
        lambda m, v, p: (
            isinstance(p, props.IntegerProperty | props.FloatProperty | props.BooleanProperty)
            and re.search(r"is not an? (integer|number|boolean)", v.ours or "") is not None
        ),
    ),
    Divergence(
        "stix2 does not limit confidence to 0-100 (spec section 3.2)",
        True,
        lambda m, v, p: _leaf(m) == "confidence" and "between 0 and 100" in (v.ours or ""),
    ),
    Divergence(
        "stix2 does not check that lang is an RFC 5646 language code",
        True,
        lambda m, v, p: _leaf(m) == "lang" and "RFC 5646" in (v.ours or ""),
    ),
    Divergence(
        "stix2 accepts an empty extensions dictionary (its ExtensionsProperty skips that check)",
        True,
        lambda m, v, p: "'extensions' is an empty dictionary" in (v.ours or ""),
    ),
    Divergence(
        "stix2 decodes base64 leniently, skipping characters outside the alphabet",
        True,
        lambda m, v, p: isinstance(p, props.BinaryProperty) and "is not base64" in (v.ours or ""),
    ),
    Divergence(
        "stix2 parses timestamps with strptime, which also takes one-digit fields and t/z",
        True,
        lambda m, v, p: (
            isinstance(m.value, str)
            and LENIENT_TIMESTAMP_RE.fullmatch(m.value) is not None
            and "is not a STIX timestamp" in (v.ours or "")
        ),
    ),
    Divergence(
        "stix2 parses UUIDs with uuid.UUID, which also takes braces and missing hyphens",
        True,
        lambda m, v, p: (
            isinstance(m.value, str)
            and ("{" in m.value or re.search(r"--[0-9a-f]{32}$", m.value) is not None)
            and re.search(r"identifier|UUID", v.ours or "") is not None
        ),
    ),
    Divergence(
        "stix2 does not check that modified is not earlier than created (spec section 3.2)",
        True,
        lambda m, v, p: "'modified' must be later than or equal to 'created'" in (v.ours or ""),
    ),
    Divergence(
        "stix2 counts extension-definition as an SDO in references; the spec makes it a "
        "meta object, so it cannot be a relationship end, sighted, or in object_refs",
        True,
        lambda m, v, p: (
            isinstance(m.value, str)
            and m.value.startswith("extension-definition--")
            and "not to 'extension-definition'" in (v.ours or "")
        ),
    ),
    Divergence(
        "stix2 returns an object of an extension-defined type unvalidated; we still check "
        "its common properties",
        True,
        lambda m, v, p: v.stix2_returned_dict,
    ),
    Divergence(
        "stix2 accepts any extra property name next to a toplevel-property-extension it "
        "does not know; we still require the property-name rule ([a-z0-9_]{3,250})",
        True,
        lambda m, v, p: (
            "is not a valid property name" in (v.ours or "")
            and "toplevel-property-extension" in str(m.obj.get("extensions"))
        ),
    ),
    # stix2 is stricter than the spec ----------------------------------------
    Divergence(
        "stix2 with allow_custom=False refuses custom properties; the spec allows x_ ones",
        False,
        lambda m, v, p: (
            str(_leaf(m)).startswith("x_") and "Unexpected properties" in (v.stix2 or "")
        ),
    ),
    Divergence(
        "stix2 refuses references to custom object types; we accept them wherever any "
        "SDO/SCO/SRO may be referenced",
        False,
        lambda m, v, p: (
            isinstance(m.value, str)
            and m.value.startswith("x-acme-thing--")
            and "x-acme-thing" in (v.stix2 or "")
        ),
    ),
    Divergence(
        "stix2's Relationship constructor drops a falsy relationship_type/source_ref/"
        "target_ref, so an empty string counts as missing",
        False,
        lambda m, v, p: m.original["type"] == "relationship" and m.value == "",
    ),
    Divergence(
        "stix2 only accepts a granular-marking selector whose selected value is truthy",
        False,
        lambda m, v, p: "InvalidSelectorError" in (v.stix2 or ""),
    ),
    Divergence(
        "stix2 refuses hash algorithm names outside hash-algorithm-ov; the vocabulary is open",
        False,
        lambda m, v, p: "custom hash algorithm" in (v.stix2 or ""),
    ),
]


def explanation(mutation: Mutation, found: Verdicts) -> Divergence | None:
    stix2_accepts = found.stix2 is None
    prop = stix2_property(mutation) if mutation.path else None
    for divergence in DIVERGENCES:
        if divergence.stix2_accepts == stix2_accepts and divergence.applies(mutation, found, prop):
            return divergence
    return None


def test_verdicts_agree_with_stix2() -> None:
    agreed = Counter[bool]()
    used = Counter[str]()
    unexplained = []
    for mutation in corpus():
        found = verdicts(mutation.obj)
        if (found.ours is None) == (found.stix2 is None):
            agreed[found.ours is None] += 1
            continue
        divergence = explanation(mutation, found)
        if divergence is None:
            unexplained.append((mutation.original["id"], mutation.path, mutation.value, found))
        else:
            used[divergence.why] += 1
    assert unexplained == []
    # Both verdicts occur in earnest, and every documented divergence still happens.
    assert agreed[True] > 500
    assert agreed[False] > 3000
    assert sorted(used) == sorted(divergence.why for divergence in DIVERGENCES)


def test_validator_raises_nothing_but_invalid_object_on_garbage() -> None:
    garbage: list[object] = [
        {"type": "indicator", "id": {}},
        {"type": "indicator", "spec_version": "2.1", "id": INDICATOR, "created": T0, 1: 2},
        with_("indicator", granular_markings=[{"marking_ref": TLP_GREEN, "selectors": [1]}]),
        with_("marking-definition", definition={"tlp": ["green"]}),
        with_("marking-definition", definition="tlp:green"),
        with_("file", extensions={1: {}}),
        with_("file", hashes={1: "x"}),
        with_(
            "network-traffic",
            extensions={"socket-ext": {"address_family": "AF_INET", "options": {1: 2}}},
        ),
        with_("location", latitude=float("nan")),
        with_("location", latitude=10**400, longitude=-(10**400)),
        with_("file", hashes={"x" * 250: 7}),
        with_("identity", **{"x_" + "é": 1}),
    ]
    for obj in garbage:
        with pytest.raises(InvalidObject):
            validate_object(obj)
