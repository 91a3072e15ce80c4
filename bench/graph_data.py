"""The server's time for the big graph's data (``/graph/data``, 5,000 nodes), this tree's
code against another tree's, alternately in the same run.

How to run it (from the repository root, in the project's venv), on a node that
``bench/web.py --keep`` left in DIR::

    git archive <commit> src | tar -x -C /tmp/base
    .venv/bin/python bench/graph_data.py --reuse DIR --baseline /tmp/base/src

Each round starts one process per tree (this tree's ``src`` first, then the baseline's,
alternately) which asks for the graph in-process (FastAPI's test client, fsb's user boris
signed in) 3 times untimed, then ``--requests`` times (default 10), and reports each
request's CPU time (user + system of the process: what a loaded machine changes least)
and wall time. The figures are the medians over every round (``--rounds``, default 3),
and their ratio.
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
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.requests)))
        return 0
    if not args.reuse or not args.baseline:
        parser.error("--reuse DIR and --baseline SRC are needed")
    trees = {"now": HERE.parent / "src", "baseline": args.baseline}
    taken: dict[str, dict[str, list[float]]] = {n: {"cpu_ms": [], "wall_ms": []} for n in trees}
    for _ in range(args.rounds):
        for name, src in trees.items():
            for key, values in run_tree(src, args.reuse, args.requests).items():
                taken[name][key] += values
    result: dict[str, Any] = {
        name: {key: statistics.median(values) for key, values in figures.items()}
        for name, figures in taken.items()
    }
    result["cpu_ratio"] = result["now"]["cpu_ms"] / result["baseline"]["cpu_ms"]
    result["wall_ratio"] = result["now"]["wall_ms"] / result["baseline"]["wall_ms"]
    result["load"] = os.getloadavg()
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
