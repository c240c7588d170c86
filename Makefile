# Ura — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check install lint format typecheck imports migrations-check browser-deps messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run Ura on embedded defaults: migrate SQLite under ./var, load the demo, serve on :8000.
demo: $(STAMP)
	$(BIN)/ura demo --serve

## The whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL).
test: $(STAMP)
	URA_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

## Every quality gate CI runs.
check: lint typecheck imports migrations-check

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

format: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

typecheck: $(STAMP)
	URA_ENV=test $(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

migrations-check: $(STAMP)
	URA_ENV=test $(BIN)/ura manage makemigrations --check --dry-run

## The catalogues after a change of user-visible text: regenerate the procedures' label list
## (makemessages cannot read their YAML), then update tr/sq/ar. Translate, then compile:
## docs/translations.md.
messages: $(STAMP)
	URA_VAR_DIR=$$(mktemp -d) $(BIN)/ura manage procedure_messages
	cd src/ura && URA_VAR_DIR=$$(mktemp -d) ../../$(BIN)/ura manage makemessages -l tr -l sq -l ar --ignore=.venv --no-obsolete

## Debian's Chromium for the browser tests, and axe-core for the accessibility check.
browser-deps:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	test -f node_modules/axe-core/axe.min.js || npm install --no-save --no-audit --no-fund --silent axe-core@4

clean:
	rm -rf $(VENV) var/static .mypy_cache .pytest_cache .ruff_cache
