"""A misbehaving TAXII 2.1 peer for fault tests: a thread of ``http.server`` on a free port
of 127.0.0.1 that serves one collection page by page, takes add-objects, and fails on
demand (HTTP 500 or 401, an answer later than the client's timeout, a connection closed
mid-answer, malformed JSON), for every request or from a given page on."""

from __future__ import annotations

import json
import socket
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.live_server import HOST

# How long a hanging answer waits at most (far longer than the client's timeout, yet the
# fake stops by itself: closing it releases every hanging answer at once).
HANG_SECONDS = 20.0
FAULTS = ("500", "401", "hang", "close", "malformed")


@dataclass
class Script:
    """What the fake answers: its pages, and the fault it plays (``""``: none)."""

    pages: list[list[Any]] = field(default_factory=list)
    # Without pages: these objects, served as a TAXII server should, ``limit`` at a time
    # (``next`` is the offset of the page that follows).
    objects: list[Any] = field(default_factory=list)
    fault: str = ""
    # The fault is played on GETs of this page index and after (0: every request).
    fault_from_page: int = 0
    # Every page says the next one is page 1 (a paging that goes round in circles).
    circular: bool = False
    # The X-TAXII-Date-Added-Last of every page (default: a timestamp rising page by page).
    date_added_last: str = ""
    # (method, path, query) of every request received, in order.
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    posted: list[dict[str, Any]] = field(default_factory=list)
    # Answer without Content-Length, the body ending when the connection closes.
    unannounced: bool = False


class FakePeer:
    """A fake TAXII API root at ``api_root_url``; use as a context manager."""

    def __init__(self) -> None:
        self.script = Script()
        self.release = threading.Event()
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def api_root_url(self) -> str:
        """Return the URL of the fake's API root."""
        return f"http://{HOST}:{self._server.server_address[1]}/taxii2/root/"

    def __enter__(self) -> FakePeer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def _by_limit(objects: list[Any], offset: int, limit: int) -> dict[str, Any]:
    """A page of ``limit`` objects from ``offset``, with the offset of the next."""
    end = offset + max(1, limit)
    body: dict[str, Any] = {"objects": objects[offset:end], "more": end < len(objects)}
    if body["more"]:
        body["next"] = str(end)
    return body


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakePeer) -> None:
        super().__init__((HOST, 0), _Handler)
        self.fake = fake

    def handle_error(self, request: object, client_address: object) -> None:
        """Say nothing of a client that hung up (a puller refusing an answer too large stops
        reading it): socketserver would print a traceback to sys.stderr, which the command
        line's runner, in this process, takes for the command's own output."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    @property
    def _fake(self) -> FakePeer:
        server = self.server
        assert isinstance(server, _Server)
        return server.fake

    def log_message(self, *_args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        script = self._fake.script
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        script.requests.append(("GET", parts.path, query))
        index = int(query.get("next", "0") or 0)
        if script.fault and index >= script.fault_from_page and self._fault():
            return
        if not parts.path.endswith("/objects/"):
            self._send(404, {"title": "not found"})
            return
        if script.objects:
            body = _by_limit(script.objects, index, int(query.get("limit", "100")))
        else:
            objects = script.pages[index] if index < len(script.pages) else []
            body = {"objects": objects, "more": index + 1 < len(script.pages)}
            if body["more"] or script.circular:
                body["more"], body["next"] = True, "1" if script.circular else str(index + 1)
        stamp = script.date_added_last or f"2026-01-01T00:00:{index:02d}.000000Z"
        self._send(200, body, {"X-TAXII-Date-Added-Last": stamp})

    def do_POST(self) -> None:
        script = self._fake.script
        length = int(self.headers.get("Content-Length", "0"))
        envelope = json.loads(self.rfile.read(length) or b"{}")
        script.requests.append(("POST", urlsplit(self.path).path, {}))
        if script.fault and self._fault():
            return
        script.posted += envelope.get("objects", [])
        done = [{"id": o["id"], "version": o["modified"]} for o in envelope["objects"]]
        status = {"id": "status-1", "status": "complete", "total_count": len(done),
                  "success_count": len(done), "successes": done,
                  "failure_count": 0, "pending_count": 0}  # fmt: skip
        self._send(202, status)

    def _fault(self) -> bool:
        """Play the scripted fault; tell whether it answered (or refused to)."""
        fault = self._fake.script.fault
        if fault in ("500", "401"):
            self._send(int(fault), {"title": "scripted failure"})
        elif fault == "hang":
            self._fake.release.wait(HANG_SECONDS)
            self.close_connection = True
        elif fault == "close":
            self._cut_short()
        elif fault == "malformed":
            self._raw(200, b'{"objects": [{"type": "indicator", "id": ')
        else:
            return False
        return True

    def _cut_short(self) -> None:
        """Announce 5,000 bytes, send a few, close the connection."""
        self.send_response(200)
        self.send_header("Content-Type", "application/taxii+json;version=2.1")
        self.send_header("Content-Length", "5000")
        self.end_headers()
        self.wfile.write(b'{"objects": [{"type": "indic')
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True

    def _send(self, code: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._raw(code, json.dumps(body).encode(), headers)

    def _raw(self, code: int, content: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/taxii+json;version=2.1")
        if self._fake.script.unannounced:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(content)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(content)
