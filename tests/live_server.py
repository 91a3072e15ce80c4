"""A real ``passerelle serve`` process for end-to-end tests over HTTP.

The node runs in its own process on a free port of 127.0.0.1, over the database the
test's ``world`` fixture filled, so tests speak to it exactly as a partner's client would
(taxii2-client, the ``stix2`` library, raw HTTP) and may SIGKILL it to test crash safety.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

# A bound, not a measure: two test workers may start servers on two CPUs at once.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
HOST = "127.0.0.1"


def passerelle_command() -> list[str]:
    """Return the command that runs the ``passerelle`` CLI of this interpreter.

    ``python -m passerelle`` needs a ``passerelle/__main__.py``; while the package has
    none, use the ``passerelle`` console script installed next to the interpreter.
    """
    if importlib.util.find_spec("passerelle.__main__") is not None:
        return [sys.executable, "-m", "passerelle"]
    script = Path(sys.executable).parent / "passerelle"
    if not script.exists():
        raise RuntimeError(f"no passerelle/__main__.py and no console script at {script}")
    return [str(script)]


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that the kernel reports free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.2):
            return True
    except OSError:
        return False


def run_cli(
    database_url: str, *args: str, timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """Run one ``passerelle --db URL ...`` command to completion and return its outcome."""
    return subprocess.run(
        [*passerelle_command(), "--db", database_url, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_environment({}),
        check=False,
    )


# The one setting a test's server inherits: its audit key file, which the test's database
# was opened with (conftest's audit_key_file), so the server signs the same chain.
_INHERITED = ("PASSERELLE_AUDIT_KEY_FILE",)


def _environment(extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PASSERELLE_") or k in _INHERITED
    }
    env.update(extra)
    return env


class LiveServer:
    """One ``passerelle serve`` process over a database; restartable on the same database."""

    def __init__(
        self,
        database_url: str,
        log_dir: Path,
        env: dict[str, str] | None = None,
        serve_args: Sequence[str] = (),
    ) -> None:
        self.database_url = database_url
        # Further options of ``serve`` (``--tls-cert``/``--tls-key`` make it HTTPS).
        self.serve_args = list(serve_args)
        self.log_dir = log_dir
        self.env = _environment(env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0
        self._logs: list[IO[bytes]] = []
        self._stderr_path = log_dir / "serve-0.stderr"

    @property
    def base_url(self) -> str:
        """Return the node's origin, e.g. ``http://127.0.0.1:PORT``."""
        scheme = "https" if "--tls-cert" in self.serve_args else "http"
        return f"{scheme}://{HOST}:{self.port}"

    @property
    def discovery_url(self) -> str:
        """Return the TAXII discovery URL."""
        return f"{self.base_url}/taxii2/"

    @property
    def api_root_url(self) -> str:
        """Return the URL of the node's API root."""
        return f"{self.base_url}/taxii2/root/"

    @property
    def pid(self) -> int:
        """Return the process id of the running server."""
        assert self.process is not None, "the server is not running"
        return self.process.pid

    def stderr(self) -> str:
        """Return what the latest process wrote on stderr."""
        try:
            return self._stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def start(self) -> LiveServer:
        """Start the server on a fresh free port and wait until it accepts connections."""
        assert self.process is None, "the server is already running"
        try:
            for _attempt in range(3):
                if self._start_once():
                    return self
                # Another process took the port between our probe and the server's bind.
                if "address already in use" not in self.stderr().lower():
                    break
            raise AssertionError(
                f"passerelle serve did not start on port {self.port}:\n{self.stderr()}"
            )
        except BaseException:
            self.stop()
            raise

    def _start_once(self) -> bool:
        self.port = free_port()
        self.starts += 1
        stdout_path = self.log_dir / f"serve-{self.starts}.stdout"
        self._stderr_path = self.log_dir / f"serve-{self.starts}.stderr"
        stdout = stdout_path.open("wb")
        stderr = self._stderr_path.open("wb")
        self._logs += [stdout, stderr]
        command = [
            *passerelle_command(),
            "--db",
            self.database_url,
            "serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
            *self.serve_args,
        ]
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, env=self.env
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                return False
            if _answers(self.port):
                return True
            time.sleep(0.05)
        self._reap(signal.SIGKILL)
        raise AssertionError(
            f"passerelle serve did not answer on port {self.port} within {START_TIMEOUT} s:\n"
            f"{self.stderr()}"
        )

    def kill(self) -> None:
        """SIGKILL the server (no shutdown of any kind) and reap it."""
        assert self.process is not None, "the server is not running"
        os.kill(self.process.pid, signal.SIGKILL)
        self._reap(signal.SIGKILL)

    def stop(self) -> None:
        """Stop the server if it runs: SIGTERM, then SIGKILL if it lingers; close the logs."""
        if self.process is not None:
            self._reap(signal.SIGTERM)
        for log in self._logs:
            log.close()
        self._logs.clear()

    def _reap(self, sig: signal.Signals) -> None:
        process = self.process
        if process is None:
            return
        self.process = None
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
