# Accord: `make run` and `make test` work on a fresh machine with Python >= 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8700
DEMO_DB ?= var/demo.db

.PHONY: run test lint format bench bench-quick clean venv openapi

venv: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/accord --db sqlite:///$(DEMO_DB) demo
	@echo ""
	@echo "Accord node:  http://$(HOST):$(PORT)/"
	@echo "API docs:     http://$(HOST):$(PORT)/docs"
	@echo "Try:          curl -H 'Authorization: Bearer <token>' http://$(HOST):$(PORT)/api/v1/objects"
	$(BIN)/accord --db sqlite:///$(DEMO_DB) serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check accord tests bench
	$(BIN)/ruff format --check accord tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format accord tests bench
	$(BIN)/ruff check --fix accord tests bench

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(BIN)/python -m bench.run

bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf $(VENV) var/*.db* .mypy_cache .ruff_cache

openapi: $(STAMP)
	$(BIN)/python -c "import json; from accord.api import create_app; from accord.config import Settings; print(json.dumps(create_app(Settings(database_url='sqlite:///:memory:')).openapi(), indent=2, sort_keys=True))" > docs/openapi.json
