# Clocktower: `make run` serves on http://127.0.0.1:8000, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint typecheck contracts format migrate clean bench bench-quick

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/clocktower serve

test: $(STAMP)
	$(BIN)/python -m pytest -n auto --maxprocesses 4

lint: $(STAMP)
	$(BIN)/ruff check src tests migrations
	$(BIN)/ruff format --check src tests migrations

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

check: lint typecheck contracts test

format: $(STAMP)
	$(BIN)/ruff format src tests migrations
	$(BIN)/ruff check --fix src tests migrations

migrate: $(STAMP)
	$(BIN)/clocktower migrate

# Load benchmark against a real server on loopback (docs/performance.md). Options go in
# ARGS, e.g. `make bench ARGS="--db postgresql://postgres@127.0.0.1:5432/postgres"`.
bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

# Small dataset, short caps: the table in under two minutes.
bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
