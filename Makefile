# make run   - install into .venv (if needed), run the pipeline on data/samples, write data/lake
# make test  - install into .venv (if needed), run pytest
# make bench - benchmarks (placeholder)

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.fazhi-installed
LAKE   ?= data/lake
TRY_SQL := SELECT type, count(*) AS n FROM records GROUP BY 1 ORDER BY 2 DESC

.PHONY: run test bench install clean-lake

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-installs only when pyproject.toml changes (the install is editable,
# so code changes need no reinstall).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[test]'
	@touch $(STAMP)

run: install
	$(BIN)/fazhi run --lake $(LAKE)
	@echo
	@echo "Try next:"
	@echo "  $(BIN)/fazhi sql \"$(TRY_SQL)\""

test: install
	$(BIN)/python -m pytest -q

bench: install
	@echo "No benchmarks yet: see bench/README.md"

clean-lake:
	rm -rf $(LAKE)
