"""A real medallion 3.0.0 process (the OASIS reference TAXII 2.1 server, from PyPI) for
interop tests: its memory backend, a configuration written here (a discovery, API root
``api1`` with one readable and writable collection per name given, basic-auth users, a
small page size), on a free port of 127.0.0.1, stopped within a bounded time.

medallion speaks plain HTTP (its Flask development server) and knows only basic
authentication: it stands in for any plain TAXII 2.1 server, OpenCTI's feeds included.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import IO, Any

import httpx2

from tests.live_server import HOST, free_port

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
USER = "atlas-node"
PASSWORD = "medallion-s3cret-pass"
# Bounds, not measures: the machine's two cores are shared by the test workers.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0


class Medallion:
    """One medallion process; ``collections`` maps a name to its (generated) id."""

    def __init__(
        self,
        tmp: Path,
        names: tuple[str, ...] = ("feed",),
        page_size: int = 3,
        max_content_length: int = 10 * 2**20,
        session_timeout: int = 30,
    ) -> None:
        self.tmp = tmp
        self.page_size = page_size
        self.max_content_length = max_content_length
        # Seconds a run's page token lives, from its first page (medallion's default: 30).
        self.session_timeout = session_timeout
        self.collections = {name: str(uuid.uuid4()) for name in names}
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def api_root_url(self) -> str:
        """Return the URL of medallion's API root ``api1``."""
        return f"http://{HOST}:{self.port}/api1/"

    def log(self) -> str:
        """Return what medallion wrote on stderr and stdout."""
        path = self.tmp / "medallion.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> Medallion:
        """Write the configuration, start medallion and wait until it answers."""
        for _attempt in range(3):
            self.port = free_port()
            config = self.tmp / "medallion.json"
            config.write_text(json.dumps(self._config()))
            self._log = (self.tmp / "medallion.log").open("ab")
            command = [sys.executable, "-m", "medallion.scripts.run", "--host", HOST,
                       "--port", str(self.port), "--log-level", "WARN", str(config)]  # fmt: skip
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT
            )
            if self._answers_in_time():
                return self
            self.stop()
            if "address already in use" not in self.log().lower():
                break
        raise AssertionError(f"medallion did not start:\n{self.log()[-2000:]}")

    def _answers_in_time(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        with self.client() as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    return False
                try:
                    if client.get(f"http://{HOST}:{self.port}/taxii2/").status_code == 200:
                        return True
                except httpx2.TransportError:
                    pass
                time.sleep(0.05)
        raise AssertionError(f"medallion did not answer within {START_TIMEOUT} s")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Medallion:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def client(self) -> httpx2.Client:
        """Return an HTTP client speaking TAXII 2.1 to medallion as its user."""
        return httpx2.Client(
            auth=(USER, PASSWORD), headers={"Accept": TAXII}, timeout=20, trust_env=False
        )

    def objects_url(self, name: str) -> str:
        """Return the URL of a collection's objects."""
        return f"{self.api_root_url}collections/{self.collections[name]}/objects/"

    def post(self, name: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
        """Add objects to a collection in one request (so one date_added); return the
        status medallion answered."""
        with self.client() as client:
            answer = client.post(
                self.objects_url(name),
                content=json.dumps({"objects": objects}),
                headers={"Content-Type": TAXII},
            )
        assert answer.status_code == 202, answer.text
        status: dict[str, Any] = answer.json()
        return status

    def read_all(self, name: str) -> list[dict[str, Any]]:
        """Return every version of every object of a collection, following ``next``."""
        found: list[dict[str, Any]] = []
        params = {"match[version]": "all", "limit": str(self.page_size)}
        with self.client() as client:
            for _page in range(1000):
                answer = client.get(self.objects_url(name), params=params)
                assert answer.status_code == 200, answer.text
                page = answer.json()
                found += page.get("objects", [])
                if not page.get("more"):
                    return found
                params["next"] = page["next"]
        raise AssertionError("more than 1,000 pages")

    def token_expired(self, name: str, token: str) -> bool:
        """Tell whether medallion has dropped a run's page token, without taking a page
        from it: asked with other filters than its run's, a live token is refused as
        "params changed", a dropped one as "'next' not valid"."""
        params = {"match[type]": "x-probe", "limit": "1", "next": token}
        with self.client() as client:
            answer = client.get(self.objects_url(name), params=params)
        assert answer.status_code == 400, answer.text
        return "'next' not valid" in answer.json()["description"]

    def status(self, status_id: str) -> dict[str, Any]:
        """Return one of medallion's status resources."""
        with self.client() as client:
            answer = client.get(f"{self.api_root_url}status/{status_id}/")
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    def _config(self) -> dict[str, Any]:
        data = self.tmp / "medallion-data.json"
        data.write_text(json.dumps(self._data()))
        return {
            "backend": {
                "module": "medallion.backends.memory_backend",
                "module_class": "MemoryBackend",
                "filename": str(data),
                "session_timeout": self.session_timeout,
                # How often expired tokens are dropped (medallion's default: 10 s).
                "check_interval": min(10, self.session_timeout),
            },
            "users": {USER: PASSWORD},
            "taxii": {"max_page_size": self.page_size},
        }

    def _data(self) -> dict[str, Any]:
        return {
            "/discovery": {
                "title": "medallion for the interop tests",
                "default": self.api_root_url,
                "api_roots": [self.api_root_url],
            },
            "api1": {
                "information": {
                    "title": "api1",
                    "versions": [TAXII],
                    "max_content_length": self.max_content_length,
                },
                "status": [],
                "collections": [
                    {
                        "id": collection_id,
                        "title": name,
                        "can_read": True,
                        "can_write": True,
                        "media_types": [STIX],
                        "objects": [],
                        "manifest": [],
                    }
                    for name, collection_id in self.collections.items()
                ],
            },
        }
