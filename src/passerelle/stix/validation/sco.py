"""STIX Cyber-observable Objects (section 6)."""

from __future__ import annotations

from typing import Final

from passerelle.stix.validation.common import _sco
from passerelle.stix.validation.definitions import SPEC, _Definition, _embedded
from passerelle.stix.validation.references import _reference, _references
from passerelle.stix.validation.rules import _at_least_one, _exactly_one, _not_before, _requires
from passerelle.stix.validation.sco_extensions import (
    _FILE_EXTENSIONS,
    _NETWORK_TRAFFIC_EXTENSIONS,
    _PROCESS_EXTENSIONS,
    _USER_ACCOUNT_EXTENSIONS,
)
from passerelle.stix.validation.values import (
    Problem,
    _binary,
    _boolean,
    _dictionary,
    _enum,
    _hashes,
    _hex,
    _integer,
    _list_of,
    _string,
    _strings,
    _timestamp,
)

_EMAIL_MIME_COMPONENT: Final = _Definition(
    "email-mime-component-type",
    "embedded",
    f"{SPEC}#_qpo5x7d8mefq",
    {
        "body": _string,
        "body_raw_ref": _reference("artifact", "file"),
        "content_type": _string,
        "content_disposition": _string,
    },
    rules=(_at_least_one("body", "body_raw_ref"),),
)
_WINDOWS_REGISTRY_VALUE: Final = _Definition(
    "windows-registry-value-type",
    "embedded",
    f"{SPEC}#_u7n4ndghs3qq",
    {
        "name": _string,
        "data": _string,
        "data_type": _enum(
            "REG_NONE",
            "REG_SZ",
            "REG_EXPAND_SZ",
            "REG_BINARY",
            "REG_DWORD",
            "REG_DWORD_BIG_ENDIAN",
            "REG_DWORD_LITTLE_ENDIAN",
            "REG_LINK",
            "REG_MULTI_SZ",
            "REG_RESOURCE_LIST",
            "REG_FULL_RESOURCE_DESCRIPTION",
            "REG_RESOURCE_REQUIREMENTS_LIST",
            "REG_QWORD",
            "REG_INVALID_TYPE",
        ),
    },
)
_X509_V3_EXTENSIONS: Final = _Definition(
    "x509-v3-extensions-type",
    "embedded",
    f"{SPEC}#_oudvonxzdlku",
    {
        **dict.fromkeys(
            (
                "basic_constraints",
                "name_constraints",
                "policy_constraints",
                "key_usage",
                "extended_key_usage",
                "subject_key_identifier",
                "authority_key_identifier",
                "subject_alternative_name",
                "issuer_alternative_name",
                "subject_directory_attributes",
                "crl_distribution_points",
                "inhibit_any_policy",
                "certificate_policies",
                "policy_mappings",
            ),
            _string,
        ),
        "private_key_usage_period_not_before": _timestamp,
        "private_key_usage_period_not_after": _timestamp,
    },
)


def _email_body(obj: dict[str, object]) -> Problem | None:
    """Section 6.6: body only for single-part, body_multipart only for multipart."""
    multipart = obj.get("is_multipart")
    if multipart is True and "body" in obj:
        return ("body", "must not be present when 'is_multipart' is true")
    if multipart is not True and "body_multipart" in obj:
        return ("body_multipart", "requires 'is_multipart' to be true")
    return None


def _traffic_activity(obj: dict[str, object]) -> Problem | None:
    """Section 6.12: an ended flow is not active (stix2: 'is_active' must be false)."""
    if "end" in obj and obj.get("is_active") is not False:
        return ("is_active", "must be false when 'end' is present")
    return None


_PROCESS_OWN_PROPERTIES: Final = (
    "is_hidden",
    "pid",
    "created_time",
    "cwd",
    "command_line",
    "environment_variables",
    "opened_connection_refs",
    "creator_user_ref",
    "image_ref",
    "parent_ref",
    "child_refs",
    "object_marking_refs",
    "granular_markings",
    "extensions",
)

_STIX_CYBER_OBSERVABLE_OBJECTS: Final = (
    _sco(
        "artifact",
        "_4jegwl6ojbes",
        {
            "mime_type": _string,
            "payload_bin": _binary,
            "url": _string,
            "hashes": _hashes,
            "encryption_algorithm": _enum(
                "AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"
            ),
            "decryption_key": _string,
        },
        rules=(_exactly_one("payload_bin", "url"), _requires("url", "hashes")),
    ),
    _sco(
        "autonomous-system",
        "_27gux0aol9e3",
        {"number": _integer(), "name": _string, "rir": _string},
        required=("number",),
    ),
    _sco(
        "directory",
        "_lyvpga5hlw52",
        {
            "path": _string,
            "path_enc": _string,
            "ctime": _timestamp,
            "mtime": _timestamp,
            "atime": _timestamp,
            "contains_refs": _references("file", "directory"),
        },
        required=("path",),
    ),
    _sco(
        "domain-name",
        "_prhhksbxbg87",
        {
            "value": _string,
            "resolves_to_refs": _references("ipv4-addr", "ipv6-addr", "domain-name"),
        },
        required=("value",),
    ),
    _sco(
        "email-addr",
        "_wmenahkvqmgj",
        {"value": _string, "display_name": _string, "belongs_to_ref": _reference("user-account")},
        required=("value",),
    ),
    _sco(
        "email-message",
        "_grboc7sq5514",
        {
            "is_multipart": _boolean,
            "date": _timestamp,
            "content_type": _string,
            "from_ref": _reference("email-addr"),
            "sender_ref": _reference("email-addr"),
            "to_refs": _references("email-addr"),
            "cc_refs": _references("email-addr"),
            "bcc_refs": _references("email-addr"),
            "message_id": _string,
            "subject": _string,
            "received_lines": _strings,
            "additional_header_fields": _dictionary,
            "body": _string,
            "body_multipart": _list_of(_embedded(_EMAIL_MIME_COMPONENT)),
            "raw_email_ref": _reference("artifact"),
        },
        required=("is_multipart",),
        rules=(_email_body,),
    ),
    _sco(
        "file",
        "_99bl2dibcztv",
        {
            "hashes": _hashes,
            "size": _integer(0),
            "name": _string,
            "name_enc": _string,
            "magic_number_hex": _hex,
            "mime_type": _string,
            "ctime": _timestamp,
            "mtime": _timestamp,
            "atime": _timestamp,
            "parent_directory_ref": _reference("directory"),
            "contains_refs": _references("SCO"),
            "content_ref": _reference("artifact"),
        },
        rules=(_at_least_one("hashes", "name"),),
        extensions=_FILE_EXTENSIONS,
    ),
    _sco(
        "ipv4-addr",
        "_ki1ufj1ku8s0",
        {
            "value": _string,
            "resolves_to_refs": _references("mac-addr"),
            "belongs_to_refs": _references("autonomous-system"),
        },
        required=("value",),
    ),
    _sco(
        "ipv6-addr",
        "_oeggeryskriq",
        {
            "value": _string,
            "resolves_to_refs": _references("mac-addr"),
            "belongs_to_refs": _references("autonomous-system"),
        },
        required=("value",),
    ),
    _sco("mac-addr", "_f92nr9plf58y", {"value": _string}, required=("value",)),
    _sco("mutex", "_84hwlkdmev1w", {"name": _string}, required=("name",)),
    _sco(
        "network-traffic",
        "_rgnc3w40xy",
        {
            "start": _timestamp,
            "end": _timestamp,
            "is_active": _boolean,
            "src_ref": _reference("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"),
            "dst_ref": _reference("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"),
            "src_port": _integer(0, 65535),
            "dst_port": _integer(0, 65535),
            "protocols": _strings,
            "src_byte_count": _integer(0),
            "dst_byte_count": _integer(0),
            "src_packets": _integer(0),
            "dst_packets": _integer(0),
            "ipfix": _dictionary,
            "src_payload_ref": _reference("artifact"),
            "dst_payload_ref": _reference("artifact"),
            "encapsulates_refs": _references("network-traffic"),
            "encapsulated_by_ref": _reference("network-traffic"),
        },
        required=("protocols",),
        rules=(
            _at_least_one("src_ref", "dst_ref"),
            _traffic_activity,
            _not_before("start", "end"),
        ),
        extensions=_NETWORK_TRAFFIC_EXTENSIONS,
    ),
    _sco(
        "process",
        "_hpppnm86a1jm",
        {
            "is_hidden": _boolean,
            "pid": _integer(),
            "created_time": _timestamp,
            "cwd": _string,
            "command_line": _string,
            "environment_variables": _dictionary,
            "opened_connection_refs": _references("network-traffic"),
            "creator_user_ref": _reference("user-account"),
            "image_ref": _reference("file"),
            "parent_ref": _reference("process"),
            "child_refs": _references("process"),
        },
        rules=(_at_least_one(*_PROCESS_OWN_PROPERTIES),),
        extensions=_PROCESS_EXTENSIONS,
    ),
    _sco(
        "software",
        "_7rkyhtkdthok",
        {
            "name": _string,
            "cpe": _string,
            "swid": _string,
            "languages": _strings,
            "vendor": _string,
            "version": _string,
        },
        required=("name",),
    ),
    _sco("url", "_ah3hict2dez0", {"value": _string}, required=("value",)),
    _sco(
        "user-account",
        "_azo70vgj1vm2",
        {
            "user_id": _string,
            "credential": _string,
            "account_login": _string,
            "account_type": _string,
            "display_name": _string,
            "is_service_account": _boolean,
            "is_privileged": _boolean,
            "can_escalate_privs": _boolean,
            "is_disabled": _boolean,
            "account_created": _timestamp,
            "account_expires": _timestamp,
            "credential_last_changed": _timestamp,
            "account_first_login": _timestamp,
            "account_last_login": _timestamp,
        },
        extensions=_USER_ACCOUNT_EXTENSIONS,
    ),
    _sco(
        "windows-registry-key",
        "_luvw8wjlfo3y",
        {
            "key": _string,
            "values": _list_of(_embedded(_WINDOWS_REGISTRY_VALUE)),
            "modified_time": _timestamp,
            "creator_user_ref": _reference("user-account"),
            "number_of_subkeys": _integer(),
        },
    ),
    _sco(
        "x509-certificate",
        "_8abcy1o5x9w1",
        {
            "is_self_signed": _boolean,
            "hashes": _hashes,
            "version": _string,
            "serial_number": _string,
            "signature_algorithm": _string,
            "issuer": _string,
            "validity_not_before": _timestamp,
            "validity_not_after": _timestamp,
            "subject": _string,
            "subject_public_key_algorithm": _string,
            "subject_public_key_modulus": _string,
            "subject_public_key_exponent": _integer(),
            "x509_v3_extensions": _embedded(_X509_V3_EXTENSIONS),
        },
        rules=(
            _at_least_one(
                "is_self_signed",
                "hashes",
                "version",
                "serial_number",
                "signature_algorithm",
                "issuer",
                "validity_not_before",
                "validity_not_after",
                "subject",
                "subject_public_key_algorithm",
                "subject_public_key_modulus",
                "subject_public_key_exponent",
                "x509_v3_extensions",
            ),
        ),
    ),
)
