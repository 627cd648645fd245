# Portcullis: `make run` starts everything on a fresh machine, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := var/.installed
# The portal in development: debug on, so the defaults (SQLite, filesystem broker, local keys) apply.
DEV := DJANGO_DEBUG=true

.PHONY: install run test bench clean

install: $(STAMP)

# Quick when nothing changed: the stamp is newer than pyproject.toml.
$(STAMP): pyproject.toml
	@mkdir -p var
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m config.devkeys
	@touch $(STAMP)

run: install
	@$(BIN)/python -m config.devkeys
	$(DEV) $(BIN)/python manage.py migrate --noinput
	@if $(DEV) $(BIN)/python manage.py help bootstrap >/dev/null 2>&1; then $(DEV) $(BIN)/python manage.py bootstrap; fi
	$(DEV) $(BIN)/python scripts/run_dev.py

test: install
	@$(BIN)/python -m config.devkeys
	$(BIN)/pytest -p no:cacheprovider

# Benchmarks are outside the default run (addopts ignores tests/benchmarks). wrk is optional:
# the harness falls back to a Python keep-alive client when it is missing.
bench: install
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; } || echo "wrk not installed: using the Python load client"
	$(BIN)/pytest tests/benchmarks -s -p no:cacheprovider -o addopts=""

clean:
	rm -rf var/broker var/bench var/staticfiles var/test-db.sqlite3 var/celerybeat-schedule* $(STAMP)
