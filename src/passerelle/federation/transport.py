"""TAXII 2.1 to a peer: add objects to a collection and read the status that answers it
(sections 5.4 and 4.3), over httpx2 with the peer's CA when one was given."""

from __future__ import annotations

import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx2
import orjson

from passerelle.errors import PasserelleError
from passerelle.stix.timestamps import version_key

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
_STATUS_POLLS = 20
_POLL_PAUSE = 0.2
_NO_REST_API = (
    "no Passerelle API there: a plain TAXII 2.1 server (medallion, OpenCTI) takes no "
    "look-ups nor RFIs"
)
# The failures of one envelope checked against what the peer holds (one GET each).
_HELD_CHECKS = 500


class PeerUnreachable(PasserelleError):
    """The peer did not answer as a TAXII 2.1 server would (one line, never the token)."""

    def __init__(self, message: str, http_status: int = 0) -> None:
        super().__init__(message)
        self.http_status = http_status


class AnswerTooLarge(PeerUnreachable):
    """The peer's answer is larger than the reader takes; it was not read to its end."""


@dataclass(frozen=True)
class Page:
    """One page of a peer's collection: its objects, whether more follow, and how."""

    # As sent: an entry that is not a JSON object is the receiver's to refuse and list.
    objects: list[Any]
    more: bool
    next: str
    date_added_last: str


@dataclass
class Outcome:
    """What a peer's status resource said of each object: (id, version) -> message."""

    status_id: str
    successes: set[tuple[str, str]] = field(default_factory=set)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    pendings: set[tuple[str, str]] = field(default_factory=set)


class PeerClient:
    """One peer's TAXII API root, as its node account."""

    def __init__(
        self, api_root: str, authorization: str, ca_file: str | None, timeout: float
    ) -> None:
        verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=ca_file) if ca_file else True
        )
        self._root = api_root
        self._timeout = timeout
        self._client = httpx2.Client(
            headers={"Authorization": authorization, "Accept": TAXII_MEDIA_TYPE},
            verify=verify,
            timeout=timeout,
            trust_env=False,
        )

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def max_content_length(self) -> int | None:
        """Return the largest request body the peer's API root says it accepts (None: it
        says none, or its API root cannot be read: a 413 then tells, and a peer that fails
        fails the add-objects request that follows, which names what failed)."""
        try:
            said = self._request("GET", "").get("max_content_length")
        except PeerUnreachable:
            return None
        return said if isinstance(said, int) and not isinstance(said, bool) and said > 0 else None

    def add_objects(self, collection: str, bodies: Sequence[str]) -> Outcome:
        """POST an envelope of objects to a collection; return its settled status, where
        a version the peer said it failed but holds counts as a success."""
        envelope = b'{"objects":[' + ",".join(bodies).encode() + b"]}"
        answer = self._request(
            "POST",
            f"collections/{collection}/objects/",
            content=envelope,
            headers={"Content-Type": TAXII_MEDIA_TYPE},
        )
        status = answer
        for _poll in range(_STATUS_POLLS):
            if status.get("status") == "complete" or not status.get("pending_count"):
                break
            time.sleep(_POLL_PAUSE)
            status = self._request("GET", f"status/{answer.get('id', '')}/")
        outcome = _outcome(status)
        for key in list(outcome.failures)[:_HELD_CHECKS]:
            if self._holds(collection, key):
                del outcome.failures[key]
                outcome.successes.add(key)
        return outcome

    def _holds(self, collection: str, key: tuple[str, str]) -> bool:
        """Tell whether the peer holds this version of an object (section 5.6): medallion
        answers a version it already holds with a failure ("Unable to process object"),
        so a version sent again after a crash would otherwise be taken as refused."""
        stix_id, version = key
        if not stix_id or "/" in stix_id or not version:
            return False
        try:
            found = self._request(
                "GET",
                f"collections/{collection}/objects/{stix_id}/",
                params={"match[version]": version},
            )
        except PeerUnreachable as exc:
            if exc.http_status in (400, 404):
                return False
            raise
        wanted = _version(version)
        objects = found.get("objects")
        return isinstance(objects, list) and any(
            isinstance(o, dict)
            and o.get("id") == stix_id
            and _version(str(o.get("modified") or o.get("created") or "")) == wanted
            for o in objects
        )

    def delete_object(
        self, collection: str, stix_id: str, versions: Sequence[str]
    ) -> tuple[int, str]:
        """DELETE these versions of an object from a collection (section 5.7); return the
        HTTP status and the error's description, if any."""
        url = f"{self._root}collections/{collection}/objects/{stix_id}/"
        try:
            response = self._client.request(
                "DELETE", url, params={"match[version]": ",".join(versions)}
            )
        except httpx2.HTTPError as exc:
            raise PeerUnreachable(f"{url}: {_reason(exc, self._timeout)}") from None
        if response.status_code >= 500 or response.status_code in (401, 406, 429):
            raise PeerUnreachable(f"{url}: {_refusal(response.status_code)}", response.status_code)
        return response.status_code, _description(response.content)

    def get_objects(self, collection: str, params: dict[str, str], max_bytes: int) -> Page:
        """GET one page of a collection's objects (section 5.4), reading no more than
        ``max_bytes`` of the answer (larger: :class:`AnswerTooLarge`, the rest unread)."""
        url = f"{self._root}collections/{collection}/objects/"
        try:
            with self._client.stream("GET", url, params=params) as response:
                if response.status_code >= 400:
                    raise PeerUnreachable(
                        f"{url}: {_refusal(response.status_code)}", response.status_code
                    )
                content = _bounded(response, url, max_bytes)
                added_last = response.headers.get("x-taxii-date-added-last", "")
        except httpx2.HTTPError as exc:
            raise PeerUnreachable(f"{url}: {_reason(exc, self._timeout)}") from None
        found = _resource(content, url)
        objects = found.get("objects") or []
        if not isinstance(objects, list):
            raise PeerUnreachable(f"{self._root}: 'objects' is not a list")
        return Page(objects, bool(found.get("more")), str(found.get("next") or ""), added_last)

    def rest(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Call the peer's Passerelle REST API (``/api/PATH`` beside its TAXII root); return
        the HTTP status and the JSON answer. A refusal (4xx but 401 and 429) is returned
        with its description; anything else that is not a success raises."""
        url = rest_base(self._root) + path
        try:
            response = self._client.request(
                method, url, json=body, headers={"Accept": "application/json"}
            )
        except httpx2.HTTPError as exc:
            raise PeerUnreachable(f"{url}: {_reason(exc, self._timeout)}") from None
        if response.status_code >= 500 or response.status_code in (401, 429):
            raise PeerUnreachable(f"{url}: {_refusal(response.status_code)}", response.status_code)
        if response.status_code >= 400:
            said = _description(response.content)
            if response.status_code == 404 and not said:
                said = _NO_REST_API  # medallion's 404 is a page of HTML
            return response.status_code, {"description": said}
        try:
            found = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise PeerUnreachable(f"{url}: the answer is not JSON") from None
        if not isinstance(found, dict):
            raise PeerUnreachable(f"{url}: the answer is not a JSON object")
        return response.status_code, found

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        url = self._root + path
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx2.HTTPError as exc:
            raise PeerUnreachable(f"{url}: {_reason(exc, self._timeout)}") from None
        if response.status_code >= 400:
            raise PeerUnreachable(f"{url}: {_refusal(response.status_code)}", response.status_code)
        return _resource(response.content, url)


def _bounded(response: httpx2.Response, url: str, max_bytes: int) -> bytes:
    """Read an answer's body, stopping as soon as it is larger than ``max_bytes`` (a peer
    that announces or sends more is not read to its end: memory stays bounded)."""
    too_large = f"{url}: its answer is larger than the {max_bytes} bytes a page may take"
    announced = response.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > max_bytes:
        raise AnswerTooLarge(too_large)
    content = bytearray()
    for chunk in response.iter_bytes():
        content += chunk
        if len(content) > max_bytes:
            raise AnswerTooLarge(too_large)
    return bytes(content)


def _resource(content: bytes, url: str) -> dict[str, Any]:
    """Return an answer's JSON object, or say in one line why it is none."""
    try:
        found = orjson.loads(content)
    except orjson.JSONDecodeError:
        raise PeerUnreachable(f"{url}: the answer is not JSON") from None
    if not isinstance(found, dict):
        raise PeerUnreachable(f"{url}: the answer is not a TAXII resource")
    return found


def rest_base(api_root: str) -> str:
    """Return the REST API base of a Passerelle node from its TAXII API root:
    ``https://host/prefix/taxii2/root/`` gives ``https://host/prefix/api/``."""
    head, found, _tail = api_root.rpartition("/taxii2/")
    return (head if found else api_root.rstrip("/")) + "/api/"


def _description(content: bytes) -> str:
    try:
        found = orjson.loads(content) if content else {}
    except orjson.JSONDecodeError:
        return ""
    if not isinstance(found, dict):
        return ""
    return str(found.get("description") or found.get("title") or "")[:500]


_REFUSALS = {
    401: "the peer does not accept our token (see the peer's --token-file)",
    403: "the peer does not let our node account do this",
    404: "no such resource at the peer (see peer link --remote-collection)",
    413: "larger than the peer accepts in one request",
}


def _refusal(status: int) -> str:
    """Name an HTTP error status in one line, with what to check when it is ours to fix."""
    hint = _REFUSALS.get(status)
    return f"HTTP {status}: {hint}" if hint else f"HTTP {status}"


def _reason(exc: httpx2.HTTPError, timeout: float) -> str:
    text = str(exc).strip().splitlines()
    if "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return "its certificate is not trusted (give --ca-file)"
    if isinstance(exc, httpx2.TimeoutException):
        return f"{exc.__class__.__name__}: no answer within {timeout:g} s (sync --timeout)"
    return f"{exc.__class__.__name__}: {text[0][:200]}" if text else exc.__class__.__name__


def _outcome(status: dict[str, Any]) -> Outcome:
    outcome = Outcome(str(status.get("id", "")))
    for key, target in (("successes", outcome.successes), ("pendings", outcome.pendings)):
        for entry in _entries(status, key):
            target.add(_key(entry))
    for entry in _entries(status, "failures"):
        outcome.failures[_key(entry)] = str(entry.get("message", ""))[:500]
    return outcome


def _entries(status: dict[str, Any], key: str) -> list[dict[str, Any]]:
    entries = status.get(key) or []
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def _version(stamp: str) -> str:
    try:
        return version_key(stamp)
    except ValueError:
        return stamp


def _key(entry: dict[str, Any]) -> tuple[str, str]:
    return str(entry.get("id", "")), str(entry.get("version", ""))
