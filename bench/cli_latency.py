"""Benchmark: how long the ``passerelle`` command takes to answer, from process start to exit.

Run (from the repository, after ``make setup``)::

    .venv/bin/python bench/cli_latency.py [--runs 15]

The script sets up the demo scenario in a fresh SQLite file (``passerelle demo
--no-serve``), starts a real ``passerelle serve`` on a free loopback port, then times, as
whole processes, each N times:

- ``passerelle --help``;
- a remote command, ``passerelle tips inbox --url URL`` (anna's token);
- local read commands on the file: ``org list``, ``tip inbox``, ``tip show``, ``rfi list``
  (bella), ``audit show`` (aude) and ``lookup`` (bella);
- baselines in the same run: a bare interpreter (``python -c pass``), the same GET of the
  inbox with ``curl`` and with ``httpx`` in a fresh interpreter.

It prints the median (and p90) of each in milliseconds and its ratio to the bare
interpreter start, which makes runs on a busy, shared machine comparable. Targets (issue
16): ``--help`` and remote commands under 300 ms, local reads under 500 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSERELLE = [sys.executable, "-m", "passerelle"]


def free_port() -> int:
    """Return a loopback port the kernel says is free."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Run COMMAND to completion RUNS times (after one warm-up); return each time in ms."""
    subprocess.run(command, env=env, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return times


def demo_token(db_url: str, env: dict[str, str], user: str) -> str:
    """Set up the demo on the database and return USER's token from what it prints."""
    made = subprocess.run(
        [*PASSERELLE, "--db", db_url, "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in made.stdout.splitlines():
        words = line.split()
        if words and words[0] == user:
            return words[-1]
    raise SystemExit(f"the demo printed no token for {user}")


def first_tip(db_url: str, env: dict[str, str]) -> str:
    """Return the id of the first tip in bella's inbox."""
    inbox = subprocess.run(
        [*PASSERELLE, "--db", db_url, "tip", "inbox", "--user", "bella", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return str(json.loads(inbox.stdout)["tips"][0]["id"])


def wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    """Wait until the node answers on PORT (or fail if it died)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("passerelle serve exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("passerelle serve did not start")


def cases(url: str, db_url: str, token: str, tip_id: str) -> dict[str, list[str]]:
    """Return each timed command, baselines first."""
    inbox = f"{url}/api/tips/inbox"
    local = [*PASSERELLE, "--db", db_url]
    found = {
        "bare interpreter (python -c pass)": [sys.executable, "-c", "pass"],
        "httpx GET of the inbox (fresh interpreter)": [
            sys.executable,
            "-c",
            f"import httpx; httpx.get({inbox!r}, headers={{'Authorization': 'Bearer {token}'}})",
        ],
        "passerelle --help": [*PASSERELLE, "--help"],
        "passerelle tips inbox --url (remote)": [*PASSERELLE, "tips", "inbox", "--url", url],
        "passerelle org list (local)": [*local, "org", "list"],
        "passerelle tips inbox --user bella (local)": [*local, "tips", "inbox", "--user", "bella"],
        "passerelle tip show --user bella (local)": [
            *local,
            "tip",
            "show",
            tip_id,
            "--user",
            "bella",
        ],
        "passerelle rfi list --user bella (local)": [*local, "rfi", "list", "--user", "bella"],
        "passerelle audit show --user aude (local)": [*local, "audit", "show", "--user", "aude"],
        "passerelle lookup --user bella (local)": [
            *local,
            "lookup",
            "t.me/cell",
            "--user",
            "bella",
        ],
    }
    curl = shutil.which("curl")
    if curl:
        found["curl GET of the inbox"] = [
            curl,
            "-sf",
            "-H",
            f"Authorization: Bearer {token}",
            inbox,
        ]
    return found


def main() -> None:
    """Set up a node, time every case, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (default 15)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PASSERELLE_")}
        env["PASSERELLE_AUDIT_KEY_FILE"] = str(Path(tmp) / "audit.key")
        db_url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        token = demo_token(db_url, env, "anna")
        port = free_port()
        server = subprocess.Popen(
            [*PASSERELLE, "--db", db_url, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port, server)
            env["PASSERELLE_TOKEN"] = token
            tip_id = first_tip(db_url, env)
            report(cases(f"http://127.0.0.1:{port}", db_url, token, tip_id), env, runs)
        finally:
            server.terminate()
            server.wait(timeout=10)


def report(found: dict[str, list[str]], env: dict[str, str], runs: int) -> None:
    """Time each case and print median, p90 and the ratio to a bare interpreter start."""
    print(f"{runs} runs each; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}")
    print(f"{'command':<46} {'median ms':>10} {'p90 ms':>8} {'x bare':>7}")
    bare = 0.0
    for label, command in found.items():
        times = sorted(timed(command, env, runs))
        median = statistics.median(times)
        bare = bare or median
        p90 = times[int(0.9 * (len(times) - 1))]
        print(f"{label:<46} {median:>10.0f} {p90:>8.0f} {median / bare:>7.1f}")


if __name__ == "__main__":
    main()
