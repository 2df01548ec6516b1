# skywarden: the two commands a newcomer runs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out
SEED   ?= 1

.PHONY: run simulate test lint typecheck pytest install dev sysdeps data clean bench samples web fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Runtime install: re-done whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

# Development install: test, lint and type-check tools plus the data-rebuild extras.
# sysdeps first: asterix-decoder (dev extra) compiles against libexpat1-dev.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python sysdeps
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps traffic==2.13
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev samples

# Real recordings for the ingest tests, never committed (traffic's come with dev above).
samples: .cache/samples/sbs1/package/msgs.txt
.cache/samples/sbs1/package/msgs.txt:
	bash scripts/fetch_sbs1_sample.sh .cache/samples

# System packages that the tests need, installed only when missing (CI runs as root).
SYSDEPS := libexpat1-dev g++ postgresql chromium nats-server
sysdeps:
	@bash scripts/sysdeps.sh $(SYSDEPS)

# The web map's Leaflet, topojson-client and us-atlas from the npm registry (git-ignored).
web: | $(BIN)/python
	@$(BIN)/python scripts/vendor_web.py

# The main job: the operations service on the embedded El Paso scenario, in real time,
# at http://127.0.0.1:8000 (prints the URL and a first-run operator login).
run: install web
	$(BIN)/skywarden serve --scenario scenarios/el-paso.yaml

# One simulated El Paso night to files, with its summary table and map (issue 2's job).
simulate: install
	$(BIN)/skywarden simulate scenarios/el-paso.yaml --out $(OUT)/el-paso --seed $(SEED) --plot

lint: dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports

typecheck: dev
	$(BIN)/mypy
	$(BIN)/mypy --explicit-package-bases tests bench

# Both cores: each test file runs whole on one worker (module fixtures stay shared),
# files spread over $(TEST_WORKERS) processes; `make pytest TEST_WORKERS=0` runs serially.
TEST_WORKERS ?= 2
pytest: dev sysdeps web
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

test: lint typecheck pytest

data: dev
	$(BIN)/python scripts/build_reference_data.py

# every benchmark; the diagnostics that read a run (a required --from, --track...) are
# run by hand and skipped here
bench: dev
	$(BIN)/pip install -q -e '.[bench]'
	@for b in bench/*.py; do \
	  if grep -q "required=True" $$b; then echo "== $$b: reads a run, skipped"; continue; fi; \
	  echo "== $$b"; $(BIN)/python $$b || exit 1; done

# atheris on every ingest parser, FUZZ_SECONDS each (not part of `make test`), seeded
# from the corpus in tests/ingest/corpus/FORMAT; new inputs and crashes go to .cache/fuzz.
FUZZ_SECONDS ?= 600
FUZZ_FORMATS ?= $(notdir $(wildcard tests/ingest/corpus/*))
fuzz: dev
	@for f in $(FUZZ_FORMATS); do \
	  echo "== fuzz $$f ($(FUZZ_SECONDS) s)"; mkdir -p .cache/fuzz/$$f; \
	  $(BIN)/python -m skywarden.ingest.fuzz $$f .cache/fuzz/$$f tests/ingest/corpus/$$f \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=70000 -rss_limit_mb=2048 \
	    -artifact_prefix=.cache/fuzz/crash-$$f- || exit 1; \
	done

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache

# Issue 17: a local cluster on loopback (three nats-server nodes with JetStream,
# PostgreSQL, two edges, three workers, the core on :8000); deploy/cluster.py says how.
.PHONY: cluster cluster-stop
cluster: install web sysdeps
	$(BIN)/python deploy/cluster.py start
cluster-stop:
	$(BIN)/python deploy/cluster.py stop
