"""The server's time for the big graph's data (``/graph/data``, 5,000 nodes), this tree's
code against another tree's, alternately in the same run.

How to run it (from the repository root, in the project's venv), on a node that
``bench/web.py --keep`` left in DIR::

    git archive <commit> src | tar -x -C /tmp/base
    .venv/bin/python bench/graph_data.py --reuse DIR --baseline /tmp/base/src

Both trees must expect the node's schema head (bench/web.py's ``--baseline`` migrates;
this does not). Each round starts one process per tree (this tree's ``src`` first, then
the baseline's, alternately) which asks for the graph in-process (FastAPI's test client,
fsb's user boris signed in) 3 times untimed, then ``--requests`` times (default 10), and
reports each request's CPU time (user + system of the process: what a loaded machine
changes least) and wall time. With ``--served``, each round also serves each tree with a real
``passerelle serve`` (bench/web.py's) and asks over HTTP, one keep-alive connection:
wall time to the last byte and the server process's CPU time (from /proc). The figures
are the medians over every round (``--rounds``, default 3), and their ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WARMUP = 3


def child(tmp: Path, requests: int) -> dict[str, list[float]]:
    """Time the graph's data in this process (the tree on PYTHONPATH)."""
    sys.path.insert(0, str(HERE))
    import web  # bench/web.py: the node it built
    from fastapi.testclient import TestClient

    from passerelle.app import create_app

    env = {"PASSERELLE_AUDIT_KEY_FILE": str(tmp / "audit-key")}
    os.environ.update(env)
    node = web.Node(f"sqlite:///{tmp / 'web.db'}", env)
    node.load(tmp / "node.json")
    web.fresh_session(node)
    database = web.open_database(node.url)
    web.use_audit_key(database, Path(env["PASSERELLE_AUDIT_KEY_FILE"]))
    app = create_app(web.Settings(db_url=node.url), database)
    path = f"/graph/data?object={node.big}&depth=1"
    cpu, wall = [], []
    with TestClient(app, base_url="https://testserver") as client:
        client.cookies.set(web.SESSION_COOKIE, node.session)
        for _ in range(WARMUP):
            assert client.get(path).status_code == 200
        for _ in range(requests):
            start, started = time.process_time(), time.perf_counter()
            answer = client.get(path)
            cpu.append((time.process_time() - start) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200
            assert len(answer.json()["nodes"]) == web.GRAPH_NODES
    return {"cpu_ms": cpu, "wall_ms": wall}


def _cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def served(src: Path | None, tmp: Path, requests: int) -> dict[str, list[float]]:
    """Time the graph's data over HTTP from ``passerelle serve`` running a tree's code."""
    sys.path.insert(0, str(HERE))
    import web

    env = {"PASSERELLE_AUDIT_KEY_FILE": str(tmp / "audit-key")}
    node = web.Node(f"sqlite:///{tmp / 'web.db'}", env)
    node.load(tmp / "node.json")
    web.fresh_session(node)
    server = web.serve(node, tmp, str(src.resolve()) if src else "")
    cpu, wall = [], []
    try:
        browser = web.Browser(server.port, node.session)
        path = f"/graph/data?object={node.big}&depth=1"
        for i in range(WARMUP + requests):
            used, start = _cpu_ms(server.proc.pid), time.perf_counter()
            browser.get(path)
            if i >= WARMUP:
                wall.append((time.perf_counter() - start) * 1000)
                cpu.append(_cpu_ms(server.proc.pid) - used)
    finally:
        server.stop()
    return {"served_cpu_ms": cpu, "served_wall_ms": wall}


def run_tree(src: Path, tmp: Path, requests: int) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    command = [sys.executable, __file__, "--child", str(tmp), "--requests", str(requests)]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    taken: dict[str, list[float]] = json.loads(out.stdout.splitlines()[-1])
    return taken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", type=Path)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", type=Path)
    parser.add_argument("--served", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.requests)))
        return 0
    if not args.reuse or not args.baseline:
        parser.error("--reuse DIR and --baseline SRC are needed")
    trees = {"now": HERE.parent / "src", "baseline": args.baseline}
    taken: dict[str, dict[str, list[float]]] = {n: {} for n in trees}
    for _ in range(args.rounds):
        for name, src in trees.items():
            figures = run_tree(src, args.reuse, args.requests)
            if args.served:
                figures |= served(None if name == "now" else src, args.reuse, args.requests)
            for key, values in figures.items():
                taken[name].setdefault(key, []).extend(values)
    result: dict[str, Any] = {
        name: {key: statistics.median(values) for key, values in figures.items()}
        for name, figures in taken.items()
    }
    for key in result["now"]:
        result[f"{key}_ratio"] = result["now"][key] / result["baseline"][key]
    result["load"] = os.getloadavg()
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
