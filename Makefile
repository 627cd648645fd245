# Portcullis: `make run` starts everything on a fresh machine, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := var/.installed

.PHONY: install run test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@mkdir -p var
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m config.devkeys
	@touch $(STAMP)

run: install
	$(BIN)/python -m config.devkeys
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(BIN)/python manage.py createcachetable
	DJANGO_DEBUG=true $(BIN)/python manage.py bootstrap
	DJANGO_DEBUG=true $(BIN)/python scripts/run_dev.py

test: install
	$(BIN)/python -m config.devkeys
	$(BIN)/pytest

bench: install
	$(BIN)/pytest tests/benchmarks -s -o addopts="-p no:cacheprovider"

clean:
	rm -rf var/broker var/staticfiles var/test-db.sqlite3
