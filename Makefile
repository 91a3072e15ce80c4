# Developers and CI run the very same targets.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint bench

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	# The browser tests drive Debian's chromium (Playwright cannot download its own here).
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,intake]'
	touch $@

run: setup
	$(BIN)/passerelle demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/vulture

test: lint
	$(BIN)/pytest

bench: setup
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/taxii_ingest.py
