# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-prereqs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## Set up (venv, install, schema, demo data) and run every process until Ctrl-C.
## Two modes (README): the default, migration in progress (the monolith runs beside the services), and
## MONOLITH=retired (every part moved first if need be, then neither the monolith nor its database runs).
## FRONT_DOOR=shell: the composition shell at the front door instead of the monolith's screens.
## WATCH_BRIDGE=1 (with MONOLITH=retired, before decommission): its bridge alone keeps answering, watched.
run: $(STAMP)
	$(if $(FRONT_DOOR),SYSOPS_FRONT_DOOR=$(FRONT_DOOR) )$(if $(MONOLITH),SYSOPS_MONOLITH=$(MONOLITH) )$(if $(WATCH_BRIDGE),SYSOPS_WATCH_BRIDGE=$(WATCH_BRIDGE) )$(BIN)/sysops run

## Install what the tests need (PostgreSQL server, Chromium, nginx) and run the whole suite.
test: $(STAMP) test-prereqs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-prereqs:
	bash scripts/install-test-prereqs.sh

clean:
	rm -rf $(VENV) var .pytest_cache
