"""Web interface benchmark: page times with many objects stored, and a 5,000-node graph.

How to run it (from the repository root, in the project's venv)::

    .venv/bin/python bench/web.py                       # 1,000,000 objects
    .venv/bin/python bench/web.py --objects 100000 --json /tmp/web.json

Options: ``--objects N`` (objects stored, default 1,000,000), ``--samples N`` (timed
requests per page, default 50, after 3 untimed), ``--page-budget S`` (seconds a page's
timed requests may take, default 60: a slow page gets fewer, at least 10),
``--profile-requests N`` (requests of the slowest page under cProfile, default 20;
0: no profile), ``--profile PAGE`` (profile that page instead of the slowest),
``--json PATH``, ``--keep`` (keep the temporary directory), ``--reuse DIR`` (time the
node a ``--keep`` run left in DIR instead of building one), ``--no-graph`` (skip the
graph page), ``--graph-only`` (no page timings nor profile), ``--graph-baseline REV``
(a git revision whose ``static/graph.js`` the browser is also given, in the same run,
for a ratio), ``--baseline SRC`` (before and after in the same run, see below).

With ``--baseline SRC`` (the ``src`` directory of another tree, e.g. the commit before a
change, ``git archive <commit> src | tar -x -C /tmp/base``), the same node is timed twice:
first migrated down to that tree's schema head and served by that tree's code, then
migrated back up (the migration's time is reported) and served by this tree's code.

What it builds (SQLite, in a temporary directory): the organisations ``dgsi`` and ``fsb``
sharing the channel ``fr-ru``; an identity (Boris Kalmykov) with a namesake and a
relationship, 30 reports each naming 3 indicators and each shared to fsb as a tip; a
report naming 4,999 indicators (a graph of 5,000 nodes from the server); then indicators
(``bench/taxii_ingest.py``'s generator: distinct ids and addresses) up to N objects.
Everything goes through the node's own ``ingest()`` in-process, envelopes of 1000, with
every subscriber (correlation keys, entity resolution, watches): the real write path,
without HTTP (about 10,000 objects/s here; the TAXII POST path's figures are in
docs/benchmarks.md's TAXII section).

What it measures, against a real ``passerelle serve`` (one worker) on a free port of
127.0.0.1, over one keep-alive connection holding fsb's user boris's session:

* the inbox (``/``), a tip page, a search (``/search?q=Kalmykov``: a rare word) and an
  entity page: p50/p95 over ``--samples`` requests, wall time from request to the last
  byte of the answer (the server's time plus a local round trip), and the server
  process's CPU time per request (user + system, from /proc: what a loaded machine
  changes least);
* the graph page in Debian's Chromium (Playwright), median of 3 page loads each:
  the big report's graph end to end, from navigation to two animation frames after the
  graph says it is ready (5,000 nodes and 4,999 edges served by ``/graph/data``, whose
  server time is also taken alone), then the same with 5,000 more nodes and edges added in
  the page as tests/web/test_browser_entities.py does, laid out and listed ("to
  interactive": from that addition to two animation frames after it). With
  ``--graph-baseline``, each is measured with the revision's ``graph.js`` too, alternately;
* then the slowest page again, in a second server process run under cProfile: the
  functions that take its time (cumulative), printed after the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import fcntl
import http.client
import json
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taxii_ingest import Indicators, Server, basic, free_port, log, p95, passerelle_cli

from passerelle.audit.key import use_audit_key
from passerelle.core.context import Context
from passerelle.exchange import tips
from passerelle.objects.ingest import ingest
from passerelle.policy import directory
from passerelle.policy.directory import Channel, Membership
from passerelle.policy.roles import Role
from passerelle.settings import Settings
from passerelle.store.database import Database, open_database
from passerelle.web.sessions import SESSION_COOKIE, Limits, start_session
from passerelle.wiring import key_rules, subscribe_features

ENVELOPE = 1000
REPORTS = 30
WARMUP = 3
MIN_SAMPLES = 10
GRAPH_NODES = 5000
GRAPH_LOADS = 3
T0 = "2026-01-01T00:00:00.000Z"
HOUR = 3_600_000_000


@dataclass
class Node:
    """The benchmark's node: its database, what the pages show, and the user's session."""

    url: str
    env: dict[str, str]
    tip: str = ""
    known: str = ""
    big: str = ""
    entity: str = ""
    token: str = ""
    session: str = ""
    fill: dict[str, Any] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Write what a later ``--reuse`` needs to time this node again."""
        keep = ("tip", "known", "big", "token", "session", "fill")
        path.write_text(json.dumps({name: getattr(self, name) for name in keep}))

    def load(self, path: Path) -> None:
        """Read what :meth:`save` wrote."""
        for name, value in json.loads(path.read_text()).items():
            setattr(self, name, value)


def _obj(kind: str, **props: Any) -> dict[str, Any]:
    base = {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid.uuid4()}"}
    return {**base, "created": T0, "modified": T0, **props}


def _scenario(gen: Indicators) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the identities (with a relationship) and the reports with their indicators."""
    known = _obj("identity", name="Boris Kalmykov", identity_class="individual")
    known["x_aliases"] = ["Борис Калмыков"]
    namesake = _obj("identity", name="Boris Kalmykov", identity_class="individual")
    clues = gen.make(3 * REPORTS)
    uses = _obj("relationship", relationship_type="uses", source_ref=known["id"])
    uses["target_ref"] = clues[0]["id"]
    people = [known, namesake, uses]
    reports = [
        _obj(
            "report",
            name=f"Cell report {i}",
            description="A cell directed from abroad through a messaging app.",
            published=T0,
            report_types=["threat-actor"],
            object_refs=[known["id"], *[c["id"] for c in clues[3 * i : 3 * i + 3]]],
        )
        for i in range(REPORTS)
    ]
    return people, [*clues, *reports]


def _directory(database: Database) -> tuple[str, Channel]:
    with database.write() as conn:
        for name in ("dgsi", "fsb"):
            directory.add_organisation(conn, name)
        token = directory.add_user(conn, "dgsi", "alice", Role.LIAISON)
        directory.add_user(conn, "fsb", "boris", Role.LIAISON)
        members = [Membership("dgsi", True, True), Membership("fsb", True, True)]
        channel = directory.add_channel(conn, "fr-ru", members, alias="fr-ru")
    return token, channel


def build(node: Node, objects: int) -> None:
    """Fill the node's database with the scenario, its tips and indicators up to N."""
    passerelle_cli(node.url, "init")
    database = open_database(node.url)
    use_audit_key(database, Path(node.env["PASSERELLE_AUDIT_KEY_FILE"]))
    node.token, channel = _directory(database)
    keys = key_rules(Settings())
    hooks = subscribe_features(keys)
    with database.read() as conn:
        alice = directory.viewer_by_name(conn, "alice", "bench")
    gen = Indicators()
    people, reports = _scenario(gen)
    for envelope in (people, reports):
        assert not ingest(database, hooks, alice, channel, envelope).failures
    node.known = people[0]["id"]
    context = Context(database, alice, keys, hooks)
    for report in reports[-REPORTS:]:
        shared = tips.share(context, tips.ShareRequest(object_id=report["id"], channel="fr-ru"))
    node.tip = shared.id
    node.big = _big_report(database, hooks, alice, channel, gen)
    node.fill = _fill_indicators(database, hooks, alice, channel, gen, objects - gen.n - 34)
    database.dispose()
    fresh_session(node)


def fresh_session(node: Node) -> None:
    """Sign boris in (a session of an hour)."""
    database = open_database(node.url)
    use_audit_key(database, Path(node.env["PASSERELLE_AUDIT_KEY_FILE"]))
    with database.write() as conn:
        boris = directory.viewer_by_name(conn, "boris", "bench")
        node.session = start_session(conn, boris, time.time_ns() // 1000, Limits(HOUR, HOUR))
    database.dispose()


def _big_report(database: Database, hooks: Any, viewer: Any, channel: Any, gen: Indicators) -> str:
    """Store a report naming GRAPH_NODES - 1 indicators; return its id."""
    clues = gen.make(GRAPH_NODES - 1)
    for start in range(0, len(clues), ENVELOPE):
        assert not ingest(
            database, hooks, viewer, channel, clues[start : start + ENVELOPE]
        ).failures
    report = _obj(
        "report",
        name="A big report",
        published=T0,
        report_types=["indicator"],
        object_refs=[c["id"] for c in clues],
    )
    assert not ingest(database, hooks, viewer, channel, [report]).failures
    return str(report["id"])


def _fill_indicators(
    database: Database, hooks: Any, viewer: Any, channel: Any, gen: Indicators, count: int
) -> dict[str, Any]:
    start = time.perf_counter()
    done, reported = 0, 0
    while done < count:
        batch = gen.make(min(ENVELOPE, count - done))
        assert not ingest(database, hooks, viewer, channel, batch).failures
        done += len(batch)
        if done - reported >= 100_000:
            reported = done
            log(f"  stored {done}/{count} ({done / (time.perf_counter() - start):.0f} obj/s)")
    seconds = time.perf_counter() - start
    return {"indicators": count, "seconds": seconds, "objects_per_s": count / max(seconds, 1e-9)}


# --------------------------------------------------------------------------- serving


def serve(node: Node, tmp: Path, src: str = "") -> Server:
    """Start ``passerelle serve`` over the node (with the code of ``src`` if given)."""
    port = free_port()
    argv = [sys.executable, "-m", "passerelle", "--db", node.url, "serve"]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    os.environ.update(node.env)  # Server's subprocess inherits the audit key file
    before = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = src or before
    try:
        server = Server("passerelle", argv, tmp / f"serve-{port}.log", port)
    finally:
        os.environ["PYTHONPATH"] = before
    server.wait_ready("/taxii2/", basic("alice", node.token), timeout=120)
    return server


class Browser:
    """One keep-alive connection holding the session cookie."""

    def __init__(self, port: int, session: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.headers = {"Cookie": f"{SESSION_COOKIE}={session}; passerelle_tz=Europe/Paris"}

    def get(self, path: str) -> str:
        self.conn.request("GET", path, headers=self.headers)
        answer = self.conn.getresponse()
        body = answer.read().decode()
        if answer.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {answer.status}: {body[:300]}")
        return body


def pages_of(node: Node) -> dict[str, str]:
    """Return the pages timed, by name."""
    return {
        "inbox": "/",
        "tip": f"/tips/{node.tip}",
        "search": "/search?q=Kalmykov",
        "entity": f"/entities/{node.entity}",
    }


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user and system) a process and its children have used, from
    Linux's /proc (the server runs its pages in threads of one process)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if stat.parent.name == str(pid) or fields[1] == str(pid):
                found += (int(fields[11]) + int(fields[12])) / tick
    return found


def time_pages(
    browser: Browser, pages: dict[str, str], samples: int, budget: float, pid: int = 0
) -> dict[str, Any]:
    """Time each page: p50/p95 in milliseconds, over ``samples`` requests or as many as
    ``budget`` seconds allow (at least MIN_SAMPLES); with the server's ``pid``, also the
    server's CPU time per request (less sensitive than wall time to a loaded machine)."""
    out: dict[str, Any] = {}
    for name, path in pages.items():
        for _ in range(WARMUP):
            browser.get(path)
        cpu = cpu_seconds(pid) if pid else 0.0
        taken: list[float] = []
        ends = time.perf_counter() + budget
        while len(taken) < samples and (len(taken) < MIN_SAMPLES or time.perf_counter() < ends):
            start = time.perf_counter()
            body = browser.get(path)
            taken.append((time.perf_counter() - start) * 1000)
        out[name] = {
            "path": path,
            "samples": len(taken),
            "p50_ms": statistics.median(taken),
            "p95_ms": p95(taken),
            "bytes": len(body),
        }
        if pid:
            out[name]["server_cpu_ms"] = (cpu_seconds(pid) - cpu) * 1000 / len(taken)
        log(
            f"  {name}: p50 {out[name]['p50_ms']:.1f} ms, p95 {out[name]['p95_ms']:.1f} ms, "
            f"server CPU {out[name].get('server_cpu_ms', 0):.1f} ms a request"
        )
    return out


def entity_of(browser: Browser, known: str) -> str:
    """Return the entity an identity was resolved to, as its page links it."""
    found = re.search(r'href="/entities/(entity--[0-9a-f-]+)"', browser.get(f"/objects/{known}"))
    assert found, "the identity's page links no entity"
    return found.group(1)


# --------------------------------------------------------------------------- graph

GROW = """(count) => {
  const graph = window.passerelleGraph, cy = graph.cy, root = cy.nodes()[0].id();
  const elements = [];
  for (let i = 0; i < count; i++) {
    elements.push({group: "nodes", data: {id: "n" + i, kind: "object", type: "indicator",
      caption: "indicator: address " + i, label: "", tlp: ""}});
    elements.push({group: "edges", data: {id: "e" + i, source: root, target: "n" + i,
      kind: "correlation", label: ""}});
  }
  const t0 = performance.now();
  cy.add(elements);
  const t1 = performance.now();
  graph.layout();
  const t2 = performance.now();
  graph.relist();
  const t3 = performance.now();
  return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
    const t4 = performance.now();
    done({total: t4 - t0, add: t1 - t0, layout: t2 - t1, list: t3 - t2, frames: t4 - t3});
  })));
}"""


# Two animation frames after the page's graph says it is ready, in the page's own clock
# (milliseconds from the navigation's start); an init script, which the page's CSP does
# not govern.
WATCH_READY = """
new MutationObserver((changes, observer) => {
  const box = document.getElementById("graph");
  if (box && box.dataset.ready === "true") {
    observer.disconnect();
    requestAnimationFrame(() => requestAnimationFrame(() => {
      window.benchInteractive = performance.now();
    }));
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-ready"]});
"""


# When each stage of the big graph's page ended (ms from the navigation's start): the
# page parsed, the scripts run, the data received, then graph.js's own marks if any.
STAGES = """() => {
  const out = {}, nav = performance.getEntriesByType("navigation")[0];
  out.dom_ready = nav.domContentLoadedEventEnd;
  for (const res of performance.getEntriesByType("resource")) {
    if (res.name.includes("/graph/data")) {
      out.data_asked = res.startTime;
      out.data_received = res.responseEnd;
    }
  }
  for (const mark of performance.getEntriesByType("mark")) {
    out[mark.name] = mark.startTime;
  }
  out.interactive = window.benchInteractive;
  return out;
}"""


def graph_baseline(rev: str | None) -> str | None:
    """Return ``static/graph.js`` as it was at a git revision (None: no baseline)."""
    if not rev:
        return None
    path = "src/passerelle/web/static/graph.js"
    return subprocess.run(
        ["git", "show", f"{rev}:{path}"], check=True, capture_output=True, text=True
    ).stdout


def _graph_context(chromium: Any, base: str, session: str, script: str | None) -> Any:
    context = chromium.new_context(viewport={"width": 1000, "height": 760})
    context.add_cookies([{"name": SESSION_COOKIE, "value": session, "url": base}])
    context.add_init_script(WATCH_READY)
    if script is not None:
        context.route(
            "**/static/graph.js",
            lambda route: route.fulfill(body=script, content_type="text/javascript"),
        )
    return context


def _graph_once(chromium: Any, base: str, node: Node, script: str | None) -> dict[str, Any]:
    """One page load of the big graph, one of the small graph grown in the page."""
    context = _graph_context(chromium, base, node.session, script)
    page = context.new_page()
    page.goto(f"{base}/graph?object={node.big}")
    page.wait_for_function("() => window.benchInteractive !== undefined", timeout=120_000)
    big = page.evaluate("window.benchInteractive")
    stages = page.evaluate(STAGES)
    drawn = page.evaluate("window.passerelleGraph.cy.nodes().length")
    assert drawn == GRAPH_NODES, drawn
    page.goto(f"{base}/graph?object={node.known}")
    page.locator("#graph[data-ready=true]").wait_for(state="attached", timeout=60_000)
    page.wait_for_function("() => window.passerelleGraph.cy.nodes().length > 1")
    grown = page.evaluate(GROW, GRAPH_NODES)
    assert page.evaluate("window.passerelleGraph.cy.nodes().length") > GRAPH_NODES
    context.close()
    return {"big_ms": big, "stages": stages, "grown": grown}


def time_graph(port: int, node: Node, baseline: str | None) -> dict[str, Any]:
    """The big report's graph end to end and the small one grown to 5,000 nodes in the
    page, with this tree's graph.js and (alternately) the baseline's."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "chromium is not installed"
    base = f"http://127.0.0.1:{port}"
    browser = Browser(port, node.session)
    data = f"/graph/data?object={node.big}&depth=1"
    server = []
    for _ in range(GRAPH_LOADS):
        start = time.perf_counter()
        browser.get(data)
        server.append((time.perf_counter() - start) * 1000)
    scripts = {"now": None, "baseline": baseline} if baseline else {"now": None}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in scripts}
    # One Chromium at a time on the machine, as the browser tests have it.
    lock = Path(tempfile.gettempdir()) / "passerelle-tests-chromium.lock"
    with lock.open("w") as held, sync_playwright() as playwright:
        fcntl.flock(held, fcntl.LOCK_EX)
        chromium = playwright.chromium.launch(
            executable_path=executable, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for _ in range(GRAPH_LOADS):
            for name, script in scripts.items():
                runs[name].append(_graph_once(chromium, base, node, script))
        chromium.close()
    out: dict[str, Any] = {"nodes": GRAPH_NODES, "data_server_ms": statistics.median(server)}
    for name, taken in runs.items():
        out[name] = {
            "big_to_interactive_ms": statistics.median(r["big_ms"] for r in taken),
            "grown_to_interactive_ms": statistics.median(r["grown"]["total"] for r in taken),
            "runs": taken,
        }
        log(
            f"  graph ({name}): 5,000 nodes served {out[name]['big_to_interactive_ms']:.0f} ms "
            f"to interactive, 5,000 added in the page {out[name]['grown_to_interactive_ms']:.0f} ms"
        )
    log(f"  graph data (server, 5,000 nodes): {out['data_server_ms']:.0f} ms")
    return out


# --------------------------------------------------------------------------- profile


def profile_page(node: Node, path: str, requests: int) -> str:
    """Ask for one page ``requests`` times in-process under cProfile; return the top.

    FastAPI runs a page's (synchronous) code in a worker thread, which a profiler of the
    main thread never sees: here that code runs in the profiled call itself."""
    import fastapi.routing
    from fastapi.testclient import TestClient

    from passerelle.app import create_app

    profiler = cProfile.Profile()
    warm = {"up": False}

    async def inline(func: Any, *args: Any, **kwargs: Any) -> Any:
        if not warm["up"]:
            return func(*args, **kwargs)
        profiler.enable()
        try:
            return func(*args, **kwargs)
        finally:
            profiler.disable()

    fastapi.routing.run_in_threadpool = inline  # type: ignore[assignment]
    database = open_database(node.url)
    use_audit_key(database, Path(node.env["PASSERELLE_AUDIT_KEY_FILE"]))
    app = create_app(Settings(db_url=node.url), database)
    with TestClient(app, base_url="https://testserver") as client:
        client.cookies.set(SESSION_COOKIE, node.session)
        for _ in range(WARMUP):  # templates compiled, SQL cached: as in the timed server
            assert client.get(path).status_code == 200
        warm["up"] = True
        for _ in range(requests):
            assert client.get(path).status_code == 200
    stream = _Lines()
    stats = pstats.Stats(profiler, stream=stream)  # type: ignore[arg-type]
    stats.strip_dirs().sort_stats("cumulative").print_stats(25)
    return "".join(stream.lines)


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines.append(text)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--page-budget", type=float, default=60.0)
    parser.add_argument("--profile-requests", type=int, default=20)
    parser.add_argument("--profile", choices=("inbox", "tip", "search", "entity"))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--graph-only", action="store_true")
    parser.add_argument("--graph-baseline")
    parser.add_argument("--reuse", type=Path)
    parser.add_argument("--no-graph", action="store_true")
    parser.add_argument("--baseline", type=Path)
    return parser.parse_args(argv)


def time_served(node: Node, tmp: Path, args: argparse.Namespace, src: str = "") -> dict[str, Any]:
    """Serve the node, time its pages (and the graph unless told not to)."""
    server = serve(node, tmp, src)
    result: dict[str, Any] = {}
    try:
        if not args.graph_only:
            browser = Browser(server.port, node.session)
            node.entity = entity_of(browser, node.known)
            result["pages"] = time_pages(
                browser, pages_of(node), args.samples, args.page_budget, server.proc.pid
            )
        if not args.no_graph:
            result["graph"] = time_graph(server.port, node, graph_baseline(args.graph_baseline))
    finally:
        server.stop()
    return result


def schema_head_of(src: Path) -> str:
    """Return the schema head a tree's code expects."""
    code = (src / "passerelle/store/database.py").read_text()
    found = re.search(r'SCHEMA_HEAD = "([^"]+)"', code)
    assert found, f"no SCHEMA_HEAD in {src}"
    return found.group(1)


def migrate_to(node: Node, revision: str) -> float:
    """Migrate the node's schema up or down to a revision; return the seconds taken."""
    from alembic import command

    from passerelle.store.migrate import alembic_config

    database = open_database(node.url)
    start = time.perf_counter()
    with database.engine.connect() as conn:
        from alembic.runtime.migration import MigrationContext

        current = MigrationContext.configure(conn).get_current_revision()
    config = alembic_config(database.engine)
    if revision == "head":
        command.upgrade(config, "head")
    elif current != revision:
        command.downgrade(config, revision)
    database.dispose()
    return time.perf_counter() - start


def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Build (or reuse), serve, time, profile; return every figure."""
    env = {"PASSERELLE_AUDIT_KEY_FILE": str(tmp / "audit-key")}
    node = Node(f"sqlite:///{tmp / 'web.db'}", env)
    os.environ.update(env)
    result: dict[str, Any] = {"objects": args.objects}
    if args.reuse:
        node.load(tmp / "node.json")
        fresh_session(node)
        log(f"reusing the node in {tmp}")
    else:
        log(f"building a node of {args.objects} objects")
        start = time.perf_counter()
        build(node, args.objects)
        node.save(tmp / "node.json")
        result["build_seconds"] = time.perf_counter() - start
        log(f"built in {result['build_seconds']:.0f} s; serving")
    result["fill"] = node.fill
    if args.baseline:
        head = schema_head_of(args.baseline)
        result["baseline"] = {"src": str(args.baseline), "schema": head}
        result["baseline"]["migrate_down_s"] = migrate_to(node, head)
        log(f"serving the baseline ({args.baseline}, schema {head})")
        result["baseline"].update(time_served(node, tmp, args, str(args.baseline.resolve())))
        result["migrate_up_s"] = migrate_to(node, "head")
        log(f"migrated up in {result['migrate_up_s']:.1f} s; serving this tree")
    result.update(time_served(node, tmp, args))
    if args.profile_requests and not args.graph_only:
        chosen = args.profile or max(
            result["pages"], key=lambda name: result["pages"][name]["p95_ms"]
        )
        log(f"profiling {chosen}")
        result["profiled"] = chosen
        result["profile"] = profile_page(node, pages_of(node)[chosen], args.profile_requests)
    result["database_mb"] = (tmp / "web.db").stat().st_size / 2**20
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = args.reuse or Path(tempfile.mkdtemp(prefix="passerelle-bench-web-"))
    try:
        result = run(args, tmp)
    finally:
        if not args.keep and not args.reuse:
            shutil.rmtree(tmp, ignore_errors=True)
    profile = result.pop("profile", "")
    print(json.dumps(result, indent=1))
    if profile:
        print(f"\nProfile of {result['profiled']} ({args.profile_requests} requests):\n{profile}")
    if args.json:
        args.json.write_text(json.dumps({**result, "profile": profile}, indent=1))
    return 0


if __name__ == "__main__":
    with suppress(KeyboardInterrupt):
        sys.exit(main())
