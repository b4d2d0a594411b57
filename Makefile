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

.PHONY: install demo test lint fmt bench chromium pdftools docs clean serve load

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

# PDF reports use the machine's fonts (DejaVu) and the tests read PDFs with poppler.
pdftools:
	@if ! fc-list 2>/dev/null | grep -qi dejavu || ! command -v pdftotext >/dev/null 2>&1; then \
		echo "installing fonts-dejavu-core and poppler-utils from Debian packages"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			fonts-dejavu-core poppler-utils >/dev/null) \
		|| echo "could not install fonts-dejavu-core / poppler-utils; report tests will skip"; \
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

test: install chromium pdftools lint
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
	NEUROSEQ_DEMO=1 $(BIN)/python manage.py audit_rekey
	NEUROSEQ_DEMO=1 $(BIN)/python manage.py seed_demo
	NEUROSEQ_DEMO=1 $(BIN)/python manage.py runserver $(HOST_PORT)

# Every benchmarks/bench_*.py appends its tracked figures to one fresh results file;
# benchmarks/summary.py prints them as one table with goals (see benchmarks/figures.py).
BENCH_RESULTS ?= $(VAR)/bench/results.jsonl
bench: install
	@mkdir -p $(dir $(BENCH_RESULTS)) && rm -f $(BENCH_RESULTS) && touch $(BENCH_RESULTS)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; \
		NEUROSEQ_BENCH_RESULTS=$(abspath $(BENCH_RESULTS)) $(BIN)/python $$f || exit 1; done
	@$(BIN)/python benchmarks/summary.py $(BENCH_RESULTS)

# The production stack on this machine: gunicorn + PostgreSQL (+ a Celery worker when
# REDIS_URL is set), demo-seeded; see docs/deployment.md. Ctrl-C stops it.
SERVE_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/neuroseq_serve
SERVE_BIND ?= 127.0.0.1:8000
serve: install
	SERVE_DATABASE_URL=$(SERVE_DATABASE_URL) SERVE_BIND=$(SERVE_BIND) $(BIN)/python -m neuroseq.web.localserve

# A bounded load (20 simulated clinicians, 60 s) against gunicorn on PostgreSQL, in a
# scratch database that is dropped afterwards. Not part of CI.
LOAD_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/neuroseq_load
LOAD_BIND ?= 127.0.0.1:8002
load: install
	LOAD_DATABASE_URL=$(LOAD_DATABASE_URL) LOAD_BIND=$(LOAD_BIND) $(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
