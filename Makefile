# Two commands for a newcomer: `make run` and `make test`. Both build .venv from the pinned
# requirements first, so nothing needs installing by hand.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: run test test-fast setup system-deps migrate bench clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: system-deps $(STAMP)

# The CJK font and HarfBuzz subsetting for the PDFs, Chromium for the browser tests.
system-deps:
	@./deploy/system-deps.sh

run: setup
	$(BIN)/python -m deploy.launch

test: setup
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit tests/services -q

migrate: $(STAMP)
	$(BIN)/python -m common.migrate upgrade

bench: $(STAMP)
	$(BIN)/python -m bench.bus

clean:
	rm -rf data .pytest_cache
