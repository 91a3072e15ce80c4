"""Predefined SCO extensions (section 6) and the embedded types they use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from passerelle.stix.validation.common import _extension
from passerelle.stix.validation.definitions import SPEC, _Definition, _embedded
from passerelle.stix.validation.references import _reference, _references
from passerelle.stix.validation.values import (
    Problem,
    _boolean,
    _clip,
    _dictionary,
    _enum,
    _hashes,
    _hex,
    _integer,
    _list_of,
    _number,
    _show,
    _string,
    _strings,
    _timestamp,
)

_ALTERNATE_DATA_STREAM: Final = _Definition(
    "alternate-data-stream",
    "embedded",
    f"{SPEC}#_8i2ts0xicqea",
    {"name": _string, "hashes": _hashes, "size": _integer(0)},
    required=("name",),
)
_WINDOWS_PE_OPTIONAL_HEADER: Final = _extension(
    "windows-pe-optional-header-type",
    "_29l09w731pzc",
    {
        "magic_hex": _hex,
        "major_linker_version": _integer(),
        "minor_linker_version": _integer(),
        "size_of_code": _integer(0),
        "size_of_initialized_data": _integer(0),
        "size_of_uninitialized_data": _integer(0),
        "address_of_entry_point": _integer(),
        "base_of_code": _integer(),
        "base_of_data": _integer(),
        "image_base": _integer(),
        "section_alignment": _integer(),
        "file_alignment": _integer(),
        "major_os_version": _integer(),
        "minor_os_version": _integer(),
        "major_image_version": _integer(),
        "minor_image_version": _integer(),
        "major_subsystem_version": _integer(),
        "minor_subsystem_version": _integer(),
        "win32_version_value_hex": _hex,
        "size_of_image": _integer(0),
        "size_of_headers": _integer(0),
        "checksum_hex": _hex,
        "subsystem_hex": _hex,
        "dll_characteristics_hex": _hex,
        "size_of_stack_reserve": _integer(0),
        "size_of_stack_commit": _integer(0),
        "size_of_heap_reserve": _integer(0),
        "size_of_heap_commit": _integer(0),
        "loader_flags_hex": _hex,
        "number_of_rva_and_sizes": _integer(),
        "hashes": _hashes,
    },
)
_WINDOWS_PE_SECTION: Final = _Definition(
    "windows-pe-section-type",
    "embedded",
    f"{SPEC}#_ioapwyd8oimw",
    {"name": _string, "size": _integer(0), "entropy": _number(), "hashes": _hashes},
    required=("name",),
)
_FILE_EXTENSIONS: Final[Mapping[str, _Definition]] = {
    "archive-ext": _extension(
        "archive-ext",
        "_xi3g7dwaigs6",
        {"contains_refs": _references("file", "directory"), "comment": _string},
        required=("contains_refs",),
    ),
    "ntfs-ext": _extension(
        "ntfs-ext",
        "_o6cweepfrsci",
        {
            "sid": _string,
            "alternate_data_streams": _list_of(_embedded(_ALTERNATE_DATA_STREAM)),
        },
    ),
    "pdf-ext": _extension(
        "pdf-ext",
        "_8xmpb2ghp9km",
        {
            "version": _string,
            "is_optimized": _boolean,
            "document_info_dict": _dictionary,
            "pdfid0": _string,
            "pdfid1": _string,
        },
    ),
    "raster-image-ext": _extension(
        "raster-image-ext",
        "_u5z7i2ox8w4x",
        {
            "image_height": _integer(),
            "image_width": _integer(),
            "bits_per_pixel": _integer(),
            "exif_tags": _dictionary,
        },
    ),
    "windows-pebinary-ext": _extension(
        "windows-pebinary-ext",
        "_gg5zibddf9bs",
        {
            "pe_type": _string,
            "imphash": _string,
            "machine_hex": _hex,
            "number_of_sections": _integer(0),
            "time_date_stamp": _timestamp,
            "pointer_to_symbol_table_hex": _hex,
            "number_of_symbols": _integer(0),
            "size_of_optional_header": _integer(0),
            "characteristics_hex": _hex,
            "file_header_hashes": _hashes,
            "optional_header": _embedded(_WINDOWS_PE_OPTIONAL_HEADER),
            "sections": _list_of(_embedded(_WINDOWS_PE_SECTION)),
        },
        required=("pe_type",),
    ),
}

_SOCKET_OPTION_PREFIXES: Final = (
    "SO_",
    "ICMP_",
    "ICMP6_",
    "IP_",
    "IPV6_",
    "MCAST_",
    "TCP_",
    "IRLMP_",
)


def _socket_options(obj: dict[str, object]) -> Problem | None:
    """socket-ext ``options``: keys are SO_/IP_/... constants, values integers."""
    options = obj.get("options")
    if type(options) is not dict:
        return None
    for key, value in options.items():
        if not key.startswith(_SOCKET_OPTION_PREFIXES) or "_" in key[: key.index("_")]:
            return (f"options.{_clip(key)}", "is not a socket option name (SO_*, IP_*, ...)")
        if type(value) is not int:
            return (f"options.{_clip(key)}", f"is not an integer ({_show(value)})")
    return None


_NETWORK_TRAFFIC_EXTENSIONS: Final[Mapping[str, _Definition]] = {
    "http-request-ext": _extension(
        "http-request-ext",
        "_b0e376hgtml8",
        {
            "request_method": _string,
            "request_value": _string,
            "request_version": _string,
            "request_header": _dictionary,
            "message_body_length": _integer(),
            "message_body_data_ref": _reference("artifact"),
        },
        required=("request_method", "request_value"),
    ),
    "icmp-ext": _extension(
        "icmp-ext",
        "_ozypx0lmkebv",
        {"icmp_type_hex": _hex, "icmp_code_hex": _hex},
        required=("icmp_type_hex", "icmp_code_hex"),
    ),
    "socket-ext": _extension(
        "socket-ext",
        "_8jamupj9ubdv",
        {
            "address_family": _enum(
                "AF_UNSPEC",
                "AF_INET",
                "AF_IPX",
                "AF_APPLETALK",
                "AF_NETBIOS",
                "AF_INET6",
                "AF_IRDA",
                "AF_BTH",
            ),
            "is_blocking": _boolean,
            "is_listening": _boolean,
            "options": _dictionary,
            "socket_type": _enum(
                "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET"
            ),
            "socket_descriptor": _integer(0),
            "socket_handle": _integer(),
        },
        required=("address_family",),
        rules=(_socket_options,),
    ),
    "tcp-ext": _extension(
        "tcp-ext", "_k2njqio7f142", {"src_flags_hex": _hex, "dst_flags_hex": _hex}
    ),
}
_PROCESS_EXTENSIONS: Final[Mapping[str, _Definition]] = {
    "windows-process-ext": _extension(
        "windows-process-ext",
        "_oyegq07gjf5t",
        {
            "aslr_enabled": _boolean,
            "dep_enabled": _boolean,
            "priority": _string,
            "owner_sid": _string,
            "window_title": _string,
            "startup_info": _dictionary,
            "integrity_level": _enum("low", "medium", "high", "system"),
        },
    ),
    "windows-service-ext": _extension(
        "windows-service-ext",
        "_lbcvc2ahx1s0",
        {
            "service_name": _string,
            "descriptions": _strings,
            "display_name": _string,
            "group_name": _string,
            "start_type": _enum(
                "SERVICE_AUTO_START",
                "SERVICE_BOOT_START",
                "SERVICE_DEMAND_START",
                "SERVICE_DISABLED",
                "SERVICE_SYSTEM_ALERT",
            ),
            "service_dll_refs": _references("file"),
            "service_type": _enum(
                "SERVICE_KERNEL_DRIVER",
                "SERVICE_FILE_SYSTEM_DRIVER",
                "SERVICE_WIN32_OWN_PROCESS",
                "SERVICE_WIN32_SHARE_PROCESS",
            ),
            "service_status": _enum(
                "SERVICE_CONTINUE_PENDING",
                "SERVICE_PAUSE_PENDING",
                "SERVICE_PAUSED",
                "SERVICE_RUNNING",
                "SERVICE_START_PENDING",
                "SERVICE_STOP_PENDING",
                "SERVICE_STOPPED",
            ),
        },
    ),
}
_USER_ACCOUNT_EXTENSIONS: Final[Mapping[str, _Definition]] = {
    "unix-account-ext": _extension(
        "unix-account-ext",
        "_hodiamlggpw5",
        {"gid": _integer(), "groups": _strings, "home_dir": _string, "shell": _string},
    ),
}
