# The two commands of the README are `make run` and `make test`; each sets up
# everything it needs first (Python 3.10 venv, locked packages, spaCy pipeline,
# model) and reuses what is already there.
PY := .venv/bin/python

.PHONY: help run serve shell test test-fast bench bench-prod forget report train check lint format types lock \
	setup setup-dev test-services
.DEFAULT_GOAL := help

help:  ## this list
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: setup  ## chat in the terminal (LANGUAGE=de: auf Deutsch); the website chat on http://127.0.0.1:8080/
	$(PY) -m bot run $(if $(LANGUAGE),--language $(LANGUAGE))

serve: setup  ## the same servers without the terminal chat (widget, REST, Slack, Telegram)
	$(PY) -m bot serve

shell: setup  ## the real `rasa shell` (LANGUAGE=de: German unless a message says otherwise)
	$(PY) -m bot shell $(if $(LANGUAGE),--language $(LANGUAGE))

test: setup-dev test-services  ## the whole test suite
	$(PY) -m pytest

test-fast: setup-dev  ## the tests that need no server, model or browser (about two minutes)
	$(PY) -m pytest -m unit

bench: setup-dev  ## accuracy, latency, throughput, memory and training time, beside the previous pipeline
	$(PY) -m devtools.bench

bench-prod: setup-dev test-services  ## the production profile (2 Rasa servers, PostgreSQL, Redis) under load
	$(PY) -m devtools.bench_prod

forget: setup  ## delete conversations idle longer than CRMO_RETENTION_DAYS (production profile)
	$(PY) -m bot forget

report: setup  ## curators' report: fallbacks, out-of-scope questions, unhelpful answers
	$(PY) -m bot report

train: setup  ## train the model when its data or config changed
	$(PY) -m bot train

check: setup  ## knowledge base validation and reading grades
	$(PY) -m bot check

lint: setup-dev  ## ruff check and ruff format --check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: setup-dev  ## ruff format and the safe ruff fixes
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

types: setup-dev  ## mypy on bot/ and actions/
	$(PY) -m mypy

setup:  ## .venv with what ships (requirements/runtime.lock)
	@bash scripts/bootstrap.sh

setup-dev:  ## .venv with the test, lint and type-check tools too (requirements/dev.lock)
	@bash scripts/bootstrap.sh dev

test-services:  ## chromium, postgresql and redis-server for the tests (Debian packages)
	@bash scripts/test-services.sh

LOCK_ARGS := --python-version 3.10 --python-platform x86_64-manylinux_2_28 --generate-hashes --no-header
lock:  ## re-pin every dependency after editing requirements/*.in
	uv pip compile requirements/runtime.in $(LOCK_ARGS) -o requirements/runtime.lock
	uv pip compile requirements/dev.in -c requirements/runtime.lock $(LOCK_ARGS) -o requirements/dev.lock
