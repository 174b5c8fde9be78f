# One entry point for newcomers, developers and CI. Everything runs inside .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PACKAGES := domain keys projections api tui violeta

.PHONY: setup demo test check format lint types contracts bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## The demo: a synthetic institute on embedded SQLite, then the terminal app.
demo: $(STAMP)
	$(BIN)/violeta demo $(DEMO_ARGS)

## The whole test suite, on SQLite and on PostgreSQL (mandatory when CI=true).
test: $(STAMP)
	bash .ci/test.sh

format: $(STAMP)
	$(BIN)/ruff format .

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

types: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

## Everything a change must pass.
check: lint types contracts test

## Every benchmark in one table (slow: it builds a 30,000-case institute; BENCH_CASES=5000 for a quick look).
BENCH_CASES ?= 30000
bench: $(STAMP)
	$(BIN)/python bench/all.py --large-cases $(BENCH_CASES)
	$(BIN)/python bench/read_side.py
	$(BIN)/python bench/api.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
