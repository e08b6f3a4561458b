# Shopfloor: `make demo` builds the sample warehouse, `make test` runs the tests, `make check` lints and runs the
# tests that need no built warehouse, `make ui` opens Dagster.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export DO_NOT_TRACK := 1
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: install demo test check ui clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: install
	$(BIN)/shopfloor demo

# The linter and the whole suite on two workers (tests/conftest.py says which tests share one); the 15 slowest
# tests are listed so a slow newcomer is seen at once.
test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=15

# Seconds, not minutes: the linter, then every test that needs no built warehouse (marker `warehouse`).
check: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not warehouse" -n 2 --dist loadgroup --durations=10

ui: install
	$(BIN)/shopfloor ui

clean:
	rm -rf data dbt_project/target dbt_project/logs
