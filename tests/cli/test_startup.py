"""The command line starts in a blink: ``--help`` and commands with ``--url`` import none
of the node's heavy parts (SQLAlchemy, FastAPI, uvicorn, numpy, spaCy), and local read
commands only what they need. Each check runs a fresh interpreter."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from passerelle.cli import endpoints
from passerelle.core.catalogue import OPERATIONS
from passerelle.core.operations import REGISTRY

HEAVY = ("sqlalchemy", "fastapi", "uvicorn", "starlette", "numpy", "spacy", "pydantic")

# Runs the command line in this interpreter, then says which heavy modules it loaded.
_WRAPPER = """
import json, sys
from passerelle.cli import main
try:
    main(json.loads(sys.argv[1]))
except SystemExit as exit:
    code = exit.code
print(json.dumps([m for m in {heavy!r} if m in sys.modules]), file=sys.stderr)
"""


def loaded_by(*args: str, env: dict[str, str] | None = None) -> tuple[list[str], str]:
    """Run ``passerelle ARGS`` in a fresh interpreter; return the heavy modules it loaded
    and its standard output."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PASSERELLE_")}
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER.format(heavy=HEAVY), json.dumps(list(args))],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **(env or {})},
        check=False,
    )
    last = done.stderr.strip().splitlines()[-1]
    return json.loads(last), done.stdout


def test_importing_the_command_line_loads_no_heavy_part() -> None:
    code = f"import passerelle.cli, sys; print([m for m in {HEAVY!r} if m in sys.modules])"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_help_loads_no_heavy_part() -> None:
    loaded, out = loaded_by("--help")
    assert "Usage:" in out
    assert loaded == []
    loaded, out = loaded_by("tips", "close", "--help")
    assert "no_link_found" in out
    assert loaded == []


class _Node(BaseHTTPRequestHandler):
    """Answers every GET like a node's inbox, and records what was asked."""

    asked: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        self.asked.append((self.path, self.headers.get("Authorization")))
        body = json.dumps({"tips": [], "watches": {"hits": [], "expiring": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep the test's output clean."""


@pytest.fixture
def node_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Node)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_remote_command_loads_no_heavy_part(node_url: str) -> None:
    _Node.asked.clear()
    env = {"PASSERELLE_TOKEN": "psl_test"}
    loaded, out = loaded_by("tips", "inbox", "--all", "--json", "--url", node_url, env=env)
    assert json.loads(out)["tips"] == []
    assert _Node.asked == [("/api/tips/inbox?all=True", "Bearer psl_test")]
    assert loaded == []


ADMIN_COMMANDS = [
    ("org", "add", "newcomer"),
    ("org", "set", "dgsi", "--phone-region", "FR"),
    ("org", "rename", "dgsi", "x"),
    ("org", "client-add", "dgsi", "cert"),
    ("org", "client-remove", "dgsi", "cert"),
    ("org", "clients", "dgsi"),
    ("user", "add", "dgsi", "dina"),
    ("user", "token", "alain"),
    ("user", "password", "alain", "--password", "a long enough phrase"),
    ("user", "link", "alain"),
    ("user", "disable", "alain"),
    ("user", "enable", "alain"),
    ("user", "role", "alain", "auditor"),
    ("user", "list"),
    ("channel", "add", "t", "--member", "dgsi:rw"),
    ("channel", "list"),
    ("channel", "rename", "t", "--title", "u"),
    ("channel", "member", "t", "dgsi", "r"),
]


@pytest.mark.parametrize("args", ADMIN_COMMANDS, ids=" ".join)
def test_an_admin_command_over_url_loads_no_heavy_part(args: tuple[str, ...]) -> None:
    """Each goes as far as calling the node (nobody listens on the port) without loading
    the database layer or the web server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"PASSERELLE_TOKEN": "psl_test", "PASSERELLE_DB": "unused://"}
    loaded, _out = loaded_by(*args, "--url", f"http://127.0.0.1:{port}", env=env)
    assert loaded == []


def test_a_local_register_read_loads_no_web_server(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'node.db'}"
    env = {"PASSERELLE_AUDIT_KEY_FILE": str(tmp_path / "audit.key")}
    loaded_by("--db", db, "init", env=env)
    loaded, out = loaded_by("--db", db, "org", "list", env=env)
    assert out.strip() == "(none)"
    assert set(loaded) <= {"sqlalchemy"}


def test_every_declared_operation_is_defined_at_its_method_and_path() -> None:
    for name, declared in OPERATIONS.items():
        operation = REGISTRY[name]
        assert operation.name == name
        assert (operation.method, operation.path) == (declared.method, declared.path), name
        assert operation.run.__module__.startswith(declared.module.rpartition(".")[0]), name
    assert list(REGISTRY) == list(OPERATIONS)


def test_the_registry_imports_an_operations_module_when_it_is_asked_for() -> None:
    code = """
import sys
from passerelle.core.operations import REGISTRY
names = list(REGISTRY)
before = [m for m in sys.modules if m.startswith("passerelle.exchange")]
inbox = REGISTRY["tips.inbox"]
after = {m for m in sys.modules if m.startswith(("passerelle.exchange", "passerelle.objects"))}
print(len(names), before, inbox.path, sorted(after & {
    "passerelle.exchange.tips.listing", "passerelle.exchange.tips.lifecycle",
    "passerelle.exchange.tips.sharing", "passerelle.exchange.rfis", "passerelle.objects.ingest"}))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    count = len(OPERATIONS)
    listing = "['passerelle.exchange.tips.listing']"
    assert done.stdout.split() == [str(count), "[]", "/api/tips/inbox", listing]


def test_the_choices_the_command_line_checks_are_the_features() -> None:
    from passerelle.correlation import queries
    from passerelle.exchange.tips import OUTCOMES
    from passerelle.resolution.entities import MAX_RESULTS

    assert endpoints.OUTCOMES == OUTCOMES
    assert endpoints.CORRELATION_LIMIT == queries.MAX_LIMIT
    assert endpoints.CORRELATION_DEFAULT_LIMIT == queries.DEFAULT_LIMIT
    assert endpoints.RESOLVE_MAX_RESULTS == MAX_RESULTS


# What a local read must not load: the web server, the models, and the node's write path
# (STIX validation, federation, entity resolution, the wiring of write listeners).
_WRITE_PATH = (
    "numpy",
    "spacy",
    "fastapi",
    "uvicorn",
    "starlette",
    "phonenumbers",
    "passerelle.stix.validation",
    "passerelle.federation",
    "passerelle.resolution",
    "passerelle.wiring",
    "passerelle.notify",
)

_MODULES_WRAPPER = """
import json, sys
from passerelle.cli import main
try:
    main(json.loads(sys.argv[1]))
except SystemExit as exit:
    code = exit.code
print(json.dumps([m for m in json.loads(sys.argv[2]) if m in sys.modules]), file=sys.stderr)
"""


def modules_loaded_by(
    modules: tuple[str, ...], args: list[str], env: dict[str, str]
) -> tuple[list[str], str]:
    """Run ``passerelle ARGS`` in a fresh interpreter; return which of MODULES it loaded and
    its standard output."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PASSERELLE_")}
    done = subprocess.run(
        [sys.executable, "-c", _MODULES_WRAPPER, json.dumps(args), json.dumps(modules)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, **env},
        check=False,
    )
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout


# What no local read loads: the node's write path, the admission of objects, the feedback
# writer and the tip, RFI and watch steps that write.
_WRITES = (
    "passerelle.objects.ingest",
    "passerelle.objects.writing",
    "passerelle.objects.admission",
    "passerelle.exchange.feedback",
    "passerelle.exchange.tips.lifecycle",
    "passerelle.exchange.tips.sharing",
    "passerelle.exchange.rfis.writing",
    "passerelle.exchange.watches.hits",
    "passerelle.exchange.watches.operations",
)
# The name engine of entity resolution (a look-up keys no name).
_NAME_ENGINE = (
    "passerelle.resolution.names",
    "passerelle.resolution.aliases",
    "passerelle.resolution.entities",
    "passerelle.resolution.linking",
)
# The tables a read of the workflow never touches: they are not even built.
_OTHER_TABLES = (
    "passerelle.store.entity_tables",
    "passerelle.store.federation_tables",
    "passerelle.store.notify_tables",
)
# A register read performs no operation: no pydantic, no registry, no feature.
_NO_OPERATION = ("pydantic", "passerelle.core.operations", "passerelle.exchange", "passerelle.keys")

# A look-up keys the value with the node's key rules, but builds no name matcher.
_LOOKUP_UNLOADED = (
    *_WRITE_PATH[:6],
    "passerelle.stix.validation",
    "passerelle.federation",
    "passerelle.notify",
    *_WRITES,
    *_NAME_ENGINE,
    *_OTHER_TABLES[1:],
    "passerelle.exchange",
)

# Each local read, and what it must not load: the modules of the write path and of the
# features it does not read (each operation's module is imported alone).
LOCAL_READS = {
    "org list": (["org", "list"], (*_WRITE_PATH, *_WRITES, *_OTHER_TABLES, *_NO_OPERATION)),
    "audit show": (
        ["audit", "show", "--user", "aude"],
        (*_WRITE_PATH, *_WRITES, *_OTHER_TABLES, *_NO_OPERATION),
    ),
    "tip inbox": (
        ["tip", "inbox", "--user", "bella"],
        (*_WRITE_PATH, *_WRITES, *_OTHER_TABLES, "passerelle.keys", "passerelle.exchange.rfis"),
    ),
    "tip show": (
        ["tip", "show", "{tip}", "--user", "bella"],
        (*_WRITE_PATH, *_WRITES, *_OTHER_TABLES, "passerelle.keys", "passerelle.exchange.rfis"),
    ),
    "rfi list": (
        ["rfi", "list", "--user", "bella"],
        (*_WRITE_PATH, *_WRITES, *_OTHER_TABLES, "passerelle.keys", "passerelle.exchange.tips"),
    ),
    "lookup": (["lookup", "t.me/cell", "--user", "bella"], _LOOKUP_UNLOADED),
}


@pytest.fixture(scope="module")
def demo_node(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, str], str]:
    """The demo's database (--db), the environment, and the first tip of bella's inbox."""
    path = tmp_path_factory.mktemp("demo")
    db = ["--db", f"sqlite:///{path / 'demo.db'}"]
    env = {"PASSERELLE_AUDIT_KEY_FILE": str(path / "audit.key")}
    _, out = modules_loaded_by((), [*db, "demo", "--no-serve"], env)
    assert "bella" in out
    _, out = modules_loaded_by((), [*db, "tip", "inbox", "--user", "bella", "--json"], env)
    return db, env, json.loads(out)["tips"][0]["id"]


@pytest.mark.parametrize("read", LOCAL_READS)
def test_a_local_read_loads_only_what_it_reads(
    read: str, demo_node: tuple[list[str], dict[str, str], str]
) -> None:
    db, env, tip_id = demo_node
    args, unloaded = LOCAL_READS[read]
    args = [tip_id if arg == "{tip}" else arg for arg in args]
    loaded, out = modules_loaded_by(unloaded, [*db, *args], env)
    assert out.strip(), read
    assert loaded == [], read
    if read == "lookup":
        assert "handle:cell" in out
