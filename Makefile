# The two commands of the README are `make run` and `make test`; each sets up
# everything it needs first (Python 3.10 venv, locked packages, spaCy pipeline,
# model) and reuses what is already there.
PY := .venv/bin/python

.PHONY: run serve test bench train check lint lock setup

run: setup  ## chat with the assistant in the terminal
	$(PY) -m bot run

serve: setup  ## Rasa server with the REST channel on :5005 (for curl)
	$(PY) -m bot serve

test: setup  ## the whole test suite
	$(PY) -m pytest

bench: setup  ## accuracy, latency, throughput, memory and training time
	$(PY) -m bot bench

train: setup
	$(PY) -m bot train

check: setup  ## knowledge base validation and reading grades
	$(PY) -m bot check

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

setup:
	@bash bot/bootstrap.sh

lock:  ## re-pin every dependency after editing requirements.in
	uv pip compile requirements.in --python-version 3.10 --python-platform x86_64-manylinux_2_28 \
		--generate-hashes --no-header -o requirements.lock
