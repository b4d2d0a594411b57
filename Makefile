# neuroseq: `make demo` sets everything up and serves the demo clinic; `make test` runs
# the whole suite (ruff, mypy, pytest on SQLite, then again on PostgreSQL if it answers).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
HOST_PORT ?= 127.0.0.1:8000
VAR := var

.PHONY: install demo test lint fmt bench chromium docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's Chromium; never a downloaded browser.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "installing chromium from Debian packages"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "could not install chromium; browser tests will fail in CI"; \
	fi

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

docs: install
	$(BIN)/neuroseq instrument docs -o docs/instrument.md
	$(BIN)/neuroseq instrument docs --instrument 1 -o docs/instrument-v1.md
	$(BIN)/python -c "from neuroseq.plan.docs import write_activities_markdown, write_plan_rules; write_activities_markdown(); write_plan_rules()"

test: install chromium lint
	$(BIN)/pytest
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "PostgreSQL answers: running the database tests again on it"; \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest tests/web; \
	else \
		echo "PostgreSQL is not answering on 127.0.0.1:5432: skipped the PostgreSQL run"; \
	fi

demo: install
	@mkdir -p $(VAR)
	@$(BIN)/neuroseq example -o $(VAR)/worked-example.json
	$(BIN)/neuroseq score $(VAR)/worked-example.json
	NEUROSEQ_DEMO=1 $(BIN)/python manage.py migrate --noinput
	NEUROSEQ_DEMO=1 $(BIN)/python manage.py seed_demo
	NEUROSEQ_DEMO=1 $(BIN)/python manage.py runserver $(HOST_PORT)

bench: install
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
