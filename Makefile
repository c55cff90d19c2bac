# make run   - install into .venv (if needed), run the pipeline on data/samples, write data/lake
# make test  - install into .venv (if needed), lint (ruff), types (mypy), then the whole test suite
# make test-fast - the tests that need no Prefect server, run or browser (seconds)
# make bench - benchmarks (bench/README.md): installs the [bench] extra, alternated comparisons (see README for its time)
# make model - the offline pkuseg segmentation model in models/ (fetched from PyPI, compacted)

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.fazhi-installed
LAKE   ?= data/lake
TRY_SQL := SELECT type, count(*) AS n FROM records GROUP BY 1 ORDER BY 2 DESC

.PHONY: run test test-fast lint typecheck bench install model clean-lake

install: $(STAMP) model

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-installs only when pyproject.toml changes (the install is editable,
# so code changes need no reinstall).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[test]'
	@touch $(STAMP)

# The pkuseg model for the NER stage: scripts/fetch_pkuseg_model.py takes the
# model files out of the pinned pkuseg 0.0.25 wheel on PyPI (hash-checked),
# ner.pkuseg_compact derives the 27 MB model the pipeline loads. Both are
# idempotent; when COMPACT.json is newer than the two scripts this does nothing.
# models/ is git-ignored: the model is rebuilt at install, never committed.
MODEL_STAMP := models/pkuseg_compact/COMPACT.json

model: $(MODEL_STAMP)

$(MODEL_STAMP): scripts/fetch_pkuseg_model.py ner/pkuseg_compact.py | $(STAMP)
	$(BIN)/python scripts/fetch_pkuseg_model.py
	$(BIN)/python -m ner.pkuseg_compact

run: install
	$(BIN)/fazhi run --lake $(LAKE)
	@echo
	@echo "Try next:"
	@echo "  $(BIN)/fazhi sql \"$(TRY_SQL)\""

test: install lint typecheck
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/python -m ruff check fazhi flows extractors schemas ner bench scripts tests

# types: configured in pyproject.toml ([tool.mypy]); clean, and part of `make test` (an error fails it)
typecheck: install
	$(BIN)/python -m mypy

BENCH_STAMP := $(VENV)/.fazhi-bench-installed

$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[test,bench]'
	@touch $(BENCH_STAMP)

# BENCH_ARGS=--quick: fewer rounds, smaller sizes, a 1M-record lake, no Dask; --only SECTIONS, --dask-ner
bench: install $(BENCH_STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean-lake:
	rm -rf $(LAKE)
