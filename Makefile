# Thin aliases. `make help` lists them. Python 3.11 or 3.12 (durable-rules does not import on 3.13).
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
DEMO_DATE ?= 2025-06-30
HOST     ?= 127.0.0.1
PORT     ?= 8000
CHROMIUM ?= /usr/bin/chromium
BROWSER_NOTE = note: $(CHROMIUM) is missing, so the browser tests (tests/e2e) are skipped; to run them:\
 sudo apt-get install chromium fonts-noto-cjk (what .ci/run does)

.PHONY: help install run check-samples test test-fast lint browser-note bench clean

help:  ## list the tasks
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(BIN)/.installed  ## create .venv and install the project with its dev tools

run: install  ## set up and serve the demo site (PORT=8001 make run; HOST=0.0.0.0 to listen on every address)
	$(BIN)/subsidy demo --reset
	$(BIN)/subsidy serve --host $(HOST) --port $(PORT)

check-samples: install  ## the self-check report for every sample applicant
	@for f in sample_applicants/*.yaml; do $(BIN)/subsidy check $$f --as-of $(DEMO_DATE) || exit 1; echo; done

lint: install  ## ruff, import-linter, mypy (engine/; strict for engine/reading and engine/logic.py), rule lint; law mutation testing (0 survivors)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/subsidy rules lint --as-of $(DEMO_DATE)
	$(BIN)/subsidy rules mutate --jobs 2
	$(BIN)/subsidy rules mutate --jobs 2 --facts

browser-note:  ## one line saying how to get the browser tests when chromium is missing
	@[ -x "$(CHROMIUM)" ] || echo "$(BROWSER_NOTE)"

test: install lint  ## lint, then the whole test suite (SQLite and PostgreSQL); says how to get skipped browser tests
	@$(BIN)/pytest; status=$$?; [ -x "$(CHROMIUM)" ] || echo "$(BROWSER_NOTE)"; exit $$status

bench: install  ## benchmarks (ratios against a baseline in the same run)
	$(BIN)/python bench/run.py

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
