# Accord: `make run` and `make test` work on a fresh machine with Python >= 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8700
DEMO_DB ?= var/demo.db
PEER_DB ?= var/demo-peer.db
PEER_PORT ?= 8701

.PHONY: run test browser screenshots lint format bench bench-quick bench-screening bench-ingest bench-manifest clean venv openapi

venv: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	mkdir -p var
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(PEER_DB) $(PEER_DB)-wal $(PEER_DB)-shm
	@echo "== First node (node-hub, the SCO RATS hub's node) =="
	ACCORD_NODE_NAME=node-hub $(BIN)/accord --db sqlite:///$(DEMO_DB) demo | tee var/demo-tokens.txt
	$(BIN)/accord --db sqlite:///$(DEMO_DB) register import un-xml demo-data/consolidated-2025-08-02.xml
	$(BIN)/accord --db sqlite:///$(DEMO_DB) register import designations demo-data/designations.csv
	$(BIN)/accord --db sqlite:///$(DEMO_DB) register apply-links demo-data/links.csv
	@echo "Divergences: .venv/bin/accord --db sqlite:///$(DEMO_DB) register divergence --jurisdictions UN,RU,CN,US,KZ,KG,TJ,SCO-RATS,CSTO"
	@echo ""
	@echo "== Second node (node-ru, Russia's node): pulls network, ru-cn and sco-joint from the first =="
	ACCORD_NODE_NAME=node-ru $(BIN)/accord --db sqlite:///$(PEER_DB) demo \
	  --peer-of http://$(HOST):$(PORT)/taxii2/api/ \
	  --token $$(awk '$$1 == "peer-ru-nac" {print $$4}' var/demo-tokens.txt) | tee var/demo-peer-tokens.txt
	@echo ""
	@echo "Console:      http://$(HOST):$(PORT)/ui/  (sign in with a token above)"
	@echo "First node:   http://$(HOST):$(PORT)/   API docs: http://$(HOST):$(PORT)/docs   TAXII: http://$(HOST):$(PORT)/taxii2/"
	@echo "Second node:  http://$(HOST):$(PEER_PORT)/   API docs: http://$(HOST):$(PEER_PORT)/docs (syncs every 5 s)"
	@echo "Try:          curl -H 'Authorization: Bearer <token>' http://$(HOST):$(PORT)/api/v1/objects"
	@echo "Tokens are kept in var/demo-tokens.txt and var/demo-peer-tokens.txt."
	ACCORD_NODE_NAME=node-ru ACCORD_SYNC_INTERVAL=5 $(BIN)/accord --db sqlite:///$(PEER_DB) \
	  serve --host $(HOST) --port $(PEER_PORT) & peer=$$!; \
	trap 'kill $$peer 2>/dev/null' EXIT INT TERM; \
	ACCORD_NODE_NAME=node-hub ACCORD_SYNC_INTERVAL=0 $(BIN)/accord --db sqlite:///$(DEMO_DB) \
	  serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check accord tests bench
	$(BIN)/ruff format --check accord tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format accord tests bench
	$(BIN)/ruff check --fix accord tests bench

# The console's browser tests need Debian's Chromium; installed here when we may (root, apt).
browser:
	@command -v chromium >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    apt-get install -y -q chromium >/dev/null 2>&1; } || \
	  echo "make: Chromium is not installed: the console's browser tests are skipped (apt-get install chromium)"

test: lint browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# The suite writes its screenshots into a temporary folder; this refreshes the committed ones.
screenshots: $(STAMP) browser
	ACCORD_SCREENSHOT_DIR=docs/screenshots ACCORD_REQUIRE_BROWSER=1 \
	  $(BIN)/python -m pytest tests/console/test_browser.py

bench: $(STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.federation
	$(BIN)/python -m bench.register

bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick
	$(BIN)/python -m bench.federation --quick
	$(BIN)/python -m bench.register --runs 1 --subjects 10000

# logic-v2 (OpenSanctions' nomenklatura) is a benchmark-only baseline in its own environment;
# where it cannot be installed the benchmark says so and quotes the published anchor.
LOGIC_V2 := .venv-logic-v2
bench-screening: $(STAMP)
	@test -x $(LOGIC_V2)/bin/python || ( $(PYTHON) -m venv $(LOGIC_V2) && \
	  $(LOGIC_V2)/bin/python -m pip install --quiet --require-hashes \
	    -r requirements/bench-logic-v2.txt ) || \
	  echo "logic-v2 could not be installed: the benchmark quotes the anchor F1 0.796 only"
	$(BIN)/python -m bench.screening --logic-v2 $(LOGIC_V2)/bin/python
	$(BIN)/python -m bench.crosslingual

bench-ingest: $(STAMP)
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.ingest_unseen --part both

# `accord screen --file`: one worker against two on a 20,000-row manifest (median of 3 runs).
bench-manifest: $(STAMP)
	$(BIN)/python -m bench.manifest --rows 20000 --runs 3

clean:
	rm -rf $(VENV) $(LOGIC_V2) var/*.db* .mypy_cache .ruff_cache

openapi: $(STAMP)
	$(BIN)/python -c "import json; from accord.api import create_app; from accord.config import Settings; print(json.dumps(create_app(Settings(database_url='sqlite:///:memory:')).openapi(), indent=2, sort_keys=True))" > docs/openapi.json
