"""Fast structural validation of incoming STIX 2.1 objects.

Reference: STIX 2.1 (OASIS Standard), https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html
and, for what is valid in practice, the OASIS ``stix2`` library
(``stix2.parse(obj, allow_custom=False)``) and ``stix2-patterns``.  Each object
type is one `_Definition` in `_DEFINITIONS` (properties -> value check,
required properties, cross-property rules), with the spec section linked.

Modules: `values` (lexical rules, value checks), `references` (``*_ref(s)``),
`definitions` (`_Definition`, checking an object, ``extensions``), `rules`
(cross-property rules), `common` (embedded types, common properties), `sdo`
(sections 4-5), `sco_extensions` and `sco` (section 6), `meta` (section 7);
this module holds the type table and the entry point `validate_object`.

Decisions (see tests/stix/test_validation.py for the divergences from stix2):

* Only STIX 2.1: ``spec_version`` must be ``"2.1"``; it is required except on
  SCOs.  ``id`` is always required and must be ``<type>--<UUID>`` in canonical
  RFC 4122 text form (any version digit, RFC 4122 variant), as stix2 requires
  for 2.1 objects.  SDO/SRO ``created``/``modified`` and indicator
  ``valid_from`` are required, as in the spec (stix2 fills them in).
* Values are JSON values: strings must be ``str``, integers ``int`` (not
  bool), booleans ``bool``; ``null`` and empty lists/dictionaries are
  rejected.  (stix2 coerces, e.g. ``"50"`` to 50, and drops ``null``/``[]``.)
* Timestamps: ``YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z``, a real calendar date, seconds
  00-59.  That is what stix2 accepts (``strptime`` + ``datetime``), minus the
  lenient forms it also lets through (one-digit fields, lower-case ``t``/``z``).
* Custom properties: accepted when named ``x_`` + ``[a-z0-9_]`` (3-250 chars
  in all) on any top-level object; any property named ``[a-z0-9_]{3,250}`` is
  accepted when the object carries a ``toplevel-property-extension``.  A
  custom property whose name ends in ``_ref``/``_refs`` must hold an
  identifier / a list of identifiers.  Embedded types (external references,
  kill chain phases, predefined SCO extensions...) accept no custom property.
  stix2 with ``allow_custom=False`` refuses all of these.
* Unknown object types: accepted only when the type name is valid and the
  object has an ``extension-definition--<uuid>`` extension whose
  ``extension_type`` is ``new-sdo``, ``new-sro`` or ``new-sco`` (the STIX 2.1
  extension mechanism, section 7.3).  Such objects get the common-property
  checks of their kind and may carry any property named ``[a-z0-9_]{3,250}``.
  Legacy custom objects (an ``x-`` type without such an extension) are
  rejected, as stix2 does with ``allow_custom=False``.
* ``extensions`` keys: ``extension-definition--<uuid>`` (content opaque apart
  from ``extension_type``), the predefined extensions of the object's own SCO
  type (validated), or deprecated custom ``x-...`` extensions (opaque).
* References: each ``*_ref(s)`` property names the types it may point to.
  Where the spec allows a whole category (any SDO, SCO or SRO), identifiers of
  types unknown to this module (custom objects) are accepted too;
  extension-definition counts as a meta object, not an SDO (stix2 differs).
* Cross-property rules of the spec that stix2 enforces are enforced (location
  anchors, malware family name, opinion values, artifact payload/url,
  network-traffic ``end`` needing ``is_active: false`` as stix2 reads the
  spec, ...), plus ``modified >= created`` and ``confidence`` in 0..100, which
  stix2 does not check.  Granular-marking selectors must select something
  present in the object (lists via ``name.[n]``, into nested objects too).
* A ``bundle`` is refused: it is a container, its objects are validated.
* ``indicator.pattern`` is checked with `passerelle.stix.pattern.check_pattern`
  when ``pattern_type`` is ``"stix"``; other pattern languages are opaque.
* Hash dictionaries: any dictionary key is accepted as algorithm name
  (``hash-algorithm-ov`` is open); values for algorithms stix2 knows (name
  compared case-insensitively without hyphens, as stix2 does) must look like a
  digest of that algorithm.
* Reasons are one line, name the property at fault and show at most ~60
  characters of any user-supplied value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Final

from passerelle.stix.invalid import InvalidObject
from passerelle.stix.validation.common import _sco, _sdo
from passerelle.stix.validation.definitions import _Definition, _object_problem
from passerelle.stix.validation.meta import (
    _EXTENSION_DEFINITION,
    _LANGUAGE_CONTENT,
    _MARKING_DEFINITION,
)
from passerelle.stix.validation.sco import _STIX_CYBER_OBSERVABLE_OBJECTS
from passerelle.stix.validation.sdo import _STIX_DOMAIN_OBJECTS, _STIX_RELATIONSHIP_OBJECTS
from passerelle.stix.validation.values import _UUID_RE, _clip, _is_type_name, _show

__all__ = ["InvalidObject", "validate_object"]

_ABSENT: Final = object()


# --------------------------------------------------------------------------
# The type table

_DEFINITIONS: Final[Mapping[str, _Definition]] = {
    definition.name: definition
    for definition in (
        *_STIX_DOMAIN_OBJECTS,
        *_STIX_RELATIONSHIP_OBJECTS,
        *_STIX_CYBER_OBSERVABLE_OBJECTS,
        _MARKING_DEFINITION,
        _LANGUAGE_CONTENT,
        _EXTENSION_DEFINITION,
    )
}

# Objects of a type defined by an extension-definition (section 7.3): the
# common properties of their kind, plus any property their schema defines.
_CUSTOM_DEFINITIONS: Final[Mapping[str, _Definition]] = {
    extension_type: dataclasses.replace(definition, open_properties=True)
    for extension_type, definition in (
        ("new-sdo", _sdo("custom SDO", "_32j232tfvtly", {})),
        ("new-sro", _sdo("custom SRO", "_32j232tfvtly", {}, kind="sro")),
        ("new-sco", _sco("custom SCO", "_32j232tfvtly", {})),
    )
}


def _custom_definition(obj: dict[str, object]) -> _Definition | None:
    """The definition for an object whose type an extension-definition introduces."""
    extensions = obj.get("extensions")
    if type(extensions) is not dict:
        return None
    for key, content in extensions.items():
        if type(key) is str and key.startswith("extension-definition--") and type(content) is dict:
            extension_type = content.get("extension_type")
            if type(extension_type) is str and extension_type in _CUSTOM_DEFINITIONS:
                return _CUSTOM_DEFINITIONS[extension_type]
    return None


# --------------------------------------------------------------------------
# Entry point


def _header_problem(definition: _Definition, obj: dict[str, object], kind: str) -> str | None:
    """Checks of type/id/spec_version, which the per-property loop skips."""
    identifier = obj.get("id", _ABSENT)
    prefix = kind + "--"
    if type(identifier) is not str or (
        definition.id_re.fullmatch(identifier) is None
        if definition.id_re is not None
        else not identifier.startswith(prefix)
        or _UUID_RE.fullmatch(identifier, len(prefix)) is None
    ):
        if identifier is _ABSENT:
            return "property 'id' is missing"
        return f"property 'id' is not '{_clip(prefix)}' followed by a UUID ({_show(identifier)})"
    version = obj.get("spec_version", _ABSENT)
    if version == "2.1" or (version is _ABSENT and definition.kind == "sco"):
        return None
    if version is _ABSENT:
        return "property 'spec_version' is missing (only STIX 2.1 is accepted)"
    return f"property 'spec_version' must be '2.1' ({_show(version)})"


def validate_object(obj: object) -> None:
    """Raise InvalidObject unless `obj` (parsed JSON) is a valid STIX 2.1 object."""
    if type(obj) is not dict:
        raise InvalidObject(f"a STIX object must be a JSON object, not {_show(obj)}")
    kind = obj.get("type")
    if type(kind) is not str:
        what = "is missing" if kind is None else f"is not a string ({_show(kind)})"
        raise InvalidObject(f"object: property 'type' {what}")
    definition = _DEFINITIONS.get(kind)
    if definition is None:
        if kind == "bundle":
            raise InvalidObject("bundle: a bundle is not a STIX object, its objects are")
        if not _is_type_name(kind):
            raise InvalidObject(f"object: property 'type' is not a valid type name ({_show(kind)})")
        definition = _custom_definition(obj)
        if definition is None:
            raise InvalidObject(
                f"object: type {_show(kind)} is not a STIX 2.1 type and no extension-definition "
                "with extension_type new-sdo, new-sco or new-sro defines it"
            )
    error = _header_problem(definition, obj, kind)
    if error is not None:
        raise InvalidObject(f"{_clip(kind)}: {error}")
    problem = _object_problem(definition, obj)
    if problem is not None:
        path, text = problem
        where = f"property '{path}'" if path else "object"
        raise InvalidObject(f"{_clip(obj['id'])}: {where} {text}")
