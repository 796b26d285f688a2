# Two commands for a newcomer: `make run` and `make test`. Both build .venv from the pinned
# requirements first, so nothing needs installing by hand.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: run test test-fast test-services lint typecheck setup system-deps migrate bench clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: system-deps $(STAMP)

# The CJK font and HarfBuzz subsetting for the PDFs, Chromium for the browser tests, LibreOffice
# Calc for the workbook test.
system-deps:
	@./deploy/system-deps.sh

run: setup
	$(BIN)/python -m deploy.launch

# Lint, formatting and strict types first (deploy/lint.sh; seconds), then every test layer.
test: setup
	BIN=$(BIN) ./deploy/lint.sh
	$(BIN)/python -m pytest

# Unit tests only: domain rules with no server at all (no PostgreSQL, no RabbitMQ).
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

# One service over its real database (PostgreSQL), no processes.
test-services: $(STAMP)
	$(BIN)/python -m pytest tests/services -q

# ruff (rules and formatting) over the tree; mypy strict on common/ and every domain/ (pyproject.toml).
lint: $(STAMP)
	BIN=$(BIN) ./deploy/lint.sh lint

typecheck: $(STAMP)
	BIN=$(BIN) ./deploy/lint.sh typecheck

migrate: $(STAMP)
	$(BIN)/python -m common.migrate upgrade

# Every benchmark, each printing its figures beside a bare baseline (see bench/README.md).
BENCHES := bus members_import members_sync members_approve members_list enrollment_submission enrollment_batch enrollment_confirmation billing_batch billing_statement notice enrollment_cover_lookup notifications_reminders season
bench: $(STAMP)
	@for b in $(BENCHES); do echo "== bench.$$b"; $(BIN)/python -m bench.$$b || exit 1; done

clean:
	rm -rf data .pytest_cache
