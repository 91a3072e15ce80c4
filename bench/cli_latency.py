"""Benchmark: how long the ``passerelle`` command takes to answer, from process start to exit.

Run (from the repository, after ``make setup``)::

    .venv/bin/python bench/cli_latency.py [--runs 15] [--tree . --tree /path/to/older/src-tree]
        [--instructions] [--importtime] [--no-bytecode-cache]

The script sets up the demo scenario in a fresh SQLite file (``passerelle demo
--no-serve``), starts a real ``passerelle serve`` on a free loopback port, then times, as
whole processes, each N times:

- ``passerelle --help``;
- a remote command, ``passerelle tips inbox --url URL`` (anna's token);
- local read commands on the file: ``org list``, ``tip inbox``, ``tip show``, ``rfi list``
  (bella), ``audit show`` (aude) and ``lookup`` (bella);
- baselines in the same run: a bare interpreter (``python -c pass``), the same GET of the
  inbox with ``curl`` and with ``httpx`` in a fresh interpreter.

Each ``--tree`` (a directory holding ``src/passerelle``; default: this repository) runs
with its own ``src`` first on PYTHONPATH. With several trees the runs alternate (tree A,
tree B, tree A...), so that a change of the machine's load falls on both; the node
itself (demo, server) is the first tree's. The table gives the median (and p90) of each
in milliseconds and its ratio to the bare interpreter start, which makes runs on a busy,
shared machine comparable; with two trees, the second's median over the first's.

Bytecode: an installed package has its ``.pyc`` files (pip compiles them), so each tree
gets a bytecode cache of its own in the scratch directory (PYTHONPYCACHEPREFIX), filled by
the warm-up run, whatever PYTHONDONTWRITEBYTECODE says. ``--no-bytecode-cache`` keeps the
environment's choice instead: with PYTHONDONTWRITEBYTECODE=1 and a source tree, every
run compiles every module of passerelle it imports.

``--instructions`` also counts each command's instructions once per tree with Valgrind's
callgrind (PYTHONHASHSEED=0; the load changes the count by well under 1%; Python runs
~50 times slower under it); ``--importtime`` sums the self times that ``python -X
importtime`` reports (the median of three runs). Targets (issue 16): ``--help`` and
remote commands under 300 ms, local reads under 500 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PASSERELLE = [sys.executable, "-m", "passerelle"]
HERE = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """Return a loopback port the kernel says is free."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def elapsed_ms(command: list[str], env: dict[str, str]) -> float:
    """Run COMMAND to completion once; return its wall-clock time in ms."""
    start = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=True)
    return (time.perf_counter() - start) * 1000


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


def baselines(url: str, token: str) -> dict[str, list[str]]:
    """Return the commands that run no passerelle: the same in every tree."""
    inbox = f"{url}/api/tips/inbox"
    found = {
        "bare interpreter (python -c pass)": [sys.executable, "-c", "pass"],
        "httpx GET of the inbox (fresh interpreter)": [
            sys.executable,
            "-c",
            f"import httpx; httpx.get({inbox!r}, headers={{'Authorization': 'Bearer {token}'}})",
        ],
    }
    curl = shutil.which("curl")
    if curl:
        header = f"Authorization: Bearer {token}"
        found["curl GET of the inbox"] = [curl, "-sf", "-H", header, inbox]
    return found


def commands(url: str, db_url: str, tip_id: str) -> dict[str, list[str]]:
    """Return each timed passerelle command."""
    local = [*PASSERELLE, "--db", db_url]
    return {
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


def tree_env(base: dict[str, str], tree: Path, cache: Path | None) -> dict[str, str]:
    """The environment that runs TREE's passerelle, with its own bytecode cache if any."""
    env = {**base, "PYTHONPATH": str(tree / "src")}
    if cache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def main() -> None:
    """Set up a node, time every case in every tree, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (default 15)")
    parser.add_argument("--tree", type=Path, action="append", help="a source tree (repeat)")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="see the docstring")
    parser.add_argument("--instructions", action="store_true", help="count with callgrind")
    parser.add_argument("--importtime", action="store_true", help="sum -X importtime")
    args = parser.parse_args()
    trees = [tree.resolve() for tree in args.tree or [HERE]]
    with tempfile.TemporaryDirectory() as tmp:
        base = {k: v for k, v in os.environ.items() if not k.startswith("PASSERELLE_")}
        base["PASSERELLE_AUDIT_KEY_FILE"] = str(Path(tmp) / "audit.key")
        envs = [
            tree_env(base, tree, None if args.no_bytecode_cache else Path(tmp) / f"pyc{i}")
            for i, tree in enumerate(trees)
        ]
        db_url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        token = demo_token(db_url, envs[0], "anna")
        port = free_port()
        server = subprocess.Popen(
            [*PASSERELLE, "--db", db_url, "serve", "--port", str(port)],
            env=envs[0],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port, server)
            envs = [{**env, "PASSERELLE_TOKEN": token} for env in envs]
            url = f"http://127.0.0.1:{port}"
            found = commands(url, db_url, first_tip(db_url, envs[0]))
            report(trees, baselines(url, token), found, envs, args)
        finally:
            server.terminate()
            server.wait(timeout=10)


def report(
    trees: list[Path],
    base: dict[str, list[str]],
    found: dict[str, list[str]],
    envs: list[dict[str, str]],
    args: argparse.Namespace,
) -> None:
    """Print the wall-clock table, then the instruction and import-time ones if asked."""
    cached = "per-tree bytecode cache" if not args.no_bytecode_cache else "environment's bytecode"
    print(f"{args.runs} runs each; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}; {cached}")
    for i, tree in enumerate(trees):
        print(f"tree {i + 1}: {tree}")
    walls = {label: wall_times(command, envs[:1], args.runs) for label, command in base.items()}
    walls |= {label: wall_times(command, envs, args.runs) for label, command in found.items()}
    bare = statistics.median(walls["bare interpreter (python -c pass)"][0])
    heads = "".join(f" {'tree ' + str(i + 1) + ' ms (p90, x bare)':>30}" for i in range(len(trees)))
    print(f"{'command':<46}{heads}{'  2/1' if len(trees) > 1 else ''}")
    for label, per_tree in walls.items():
        cells = "".join(f" {cell(times, bare):>30}" for times in per_tree)
        ratio = ""
        if len(per_tree) > 1:
            ratio = f"  {statistics.median(per_tree[1]) / statistics.median(per_tree[0]):.2f}"
        print(f"{label:<46}{cells}{ratio}")
    print(f"load at the end {os.getloadavg()[0]:.2f}")
    if args.instructions:
        table("instructions (millions, callgrind)", found, envs, instructions)
    if args.importtime:
        table("-X importtime: sum of self times (ms, median of 3)", found, envs, import_ms)


def wall_times(command: list[str], envs: list[dict[str, str]], runs: int) -> list[list[float]]:
    """Time COMMAND RUNS times in each environment, alternating, after a warm-up in each."""
    for env in envs:
        subprocess.run(command, env=env, capture_output=True, check=True)
    times: list[list[float]] = [[] for _ in envs]
    for _ in range(runs):
        for i, env in enumerate(envs):
            times[i].append(elapsed_ms(command, env))
    return times


def cell(times: list[float], bare: float) -> str:
    """Median (p90, ratio to a bare interpreter) of some times."""
    ordered = sorted(times)
    median = statistics.median(ordered)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return f"{median:,.0f} ({p90:,.0f}, {median / bare:.1f})"


def table(
    title: str,
    found: dict[str, list[str]],
    envs: list[dict[str, str]],
    measure: Callable[[list[str], dict[str, str]], float],
) -> None:
    """Print one figure per command and tree, with the second tree's over the first's."""
    print(f"\n{title}")
    for label, command in found.items():
        figures = [measure(command, env) for env in envs]
        ratio = f"  {figures[1] / figures[0]:.2f}" if len(figures) > 1 else ""
        print(f"{label:<46}" + "".join(f" {figure:>12,.0f}" for figure in figures) + ratio)


def instructions(command: list[str], env: dict[str, str]) -> float:
    """Count COMMAND's instructions with callgrind (millions)."""
    if not shutil.which("valgrind"):
        raise SystemExit("--instructions needs valgrind")
    counted = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        env={**env, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", counted.stderr)
    if found is None:
        raise SystemExit("callgrind printed no count")
    return int(found.group(1)) / 1e6


def import_ms(command: list[str], env: dict[str, str]) -> float:
    """Sum the self times ``-X importtime`` reports for COMMAND (ms, median of 3 runs)."""
    sums = []
    for _ in range(3):
        done = subprocess.run(
            [command[0], "-X", "importtime", *command[1:]],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        found = re.findall(r"import time:\s+(\d+) \|", done.stderr)
        sums.append(sum(int(us) for us in found) / 1000)
    return statistics.median(sums)


if __name__ == "__main__":
    main()
