# The two commands of the README are `make run` and `make test`; each sets up
# everything it needs first (Python 3.10 venv, locked packages, spaCy pipeline,
# model) and reuses what is already there.
PY := .venv/bin/python

.PHONY: run serve shell test bench bench-prod forget report train check lint lock setup test-services

run: setup  ## chat in the terminal; the website chat on http://127.0.0.1:8080/
	$(PY) -m bot run

serve: setup  ## the same servers without the terminal chat (widget, REST, Slack, Telegram)
	$(PY) -m bot serve

shell: setup  ## the real `rasa shell`
	$(PY) -m bot shell

test: setup test-services  ## the whole test suite
	$(PY) -m pytest

bench: setup  ## accuracy, latency, throughput, memory and training time
	$(PY) -m bot bench

bench-prod: setup test-services  ## the production profile (2 Rasa servers, PostgreSQL, Redis) under load
	$(PY) -m bot bench-prod

forget: setup  ## delete conversations idle longer than CRMO_RETENTION_DAYS (production profile)
	$(PY) -m bot forget

report: setup  ## curators' report: fallbacks, out-of-scope questions, unhelpful answers
	$(PY) -m bot report

train: setup
	$(PY) -m bot train

check: setup  ## knowledge base validation and reading grades
	$(PY) -m bot check

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

setup:
	@bash bot/bootstrap.sh

test-services:  ## chromium, postgresql and redis-server for the tests (Debian packages)
	@bash bot/test-services.sh

lock:  ## re-pin every dependency after editing requirements.in
	uv pip compile requirements.in --python-version 3.10 --python-platform x86_64-manylinux_2_28 \
		--generate-hashes --no-header -o requirements.lock
