"""What the web interface ships: every template message translated into French, and
every template, catalogue and static file in the package data a wheel installs."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "passerelle" / "web"


def _template_messages() -> set[str]:
    found = extract_from_dir(
        str(WEB / "templates"),
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
    )
    return {message for _file, _line, message, _comments, _context in found}


def test_every_template_message_has_its_french_translation() -> None:
    with (WEB / "locales" / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {m.id: m.string for m in catalog if m.id and not m.fuzzy}
    wanted = _template_messages()
    assert len(wanted) > 50
    assert sorted(wanted - {k for k, v in translated.items() if v}) == []
    # No translation is kept for a message the templates no longer say.
    assert sorted(set(translated) - wanted) == []


def test_every_file_of_the_web_interface_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["passerelle"]
    package = ROOT / "src" / "passerelle"
    files = [p for p in WEB.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert any(p.name == "htmx.min.js" for p in files)
    missing = [
        str(p.relative_to(package))
        for p in files
        if not any(fnmatch(str(p.relative_to(package)), pattern) for pattern in patterns)
    ]
    assert missing == []


def test_htmx_is_vendored_with_its_licence() -> None:
    vendor = WEB / "static" / "vendor"
    assert (vendor / "htmx.min.js").read_text().startswith("var htmx=")
    assert "Zero-Clause BSD" in (vendor / "htmx.LICENSE").read_text()


def test_cytoscape_is_vendored_with_its_licence() -> None:
    vendor = WEB / "static" / "vendor"
    assert "cytoscape" in (vendor / "cytoscape.min.js").read_text()[:2000].lower()
    assert "Permission is hereby granted" in (vendor / "cytoscape.LICENSE").read_text()
    # Cytoscape.js adds an inline <style> unless the page has an element of this id (the
    # Content-Security-Policy would refuse it): the graph page's stylesheet link has it.
    graph = (WEB / "templates" / "graph.html").read_text()
    assert 'id="__________cytoscape_stylesheet"' in graph


def test_chart_js_is_vendored_with_its_licence() -> None:
    vendor = WEB / "static" / "vendor"
    assert (vendor / "chart.umd.min.js").read_text()[:200].startswith("/*!\n * Chart.js v4.")
    assert "Permission is hereby granted" in (vendor / "chart.LICENSE").read_text()
    # The partners page loads it and the node's own script, never an inline one.
    partners = (WEB / "templates" / "partners.html").read_text()
    assert '<script src="/static/vendor/chart.umd.min.js" defer></script>' in partners
    assert "<script>" not in partners
