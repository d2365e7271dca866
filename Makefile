# The README's commands. Each target creates/refreshes .venv itself.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOME_DIR ?= data
# The bundled samples were captured in 2026; pinning the capture date makes the
# demo's yearless dates (e.g. "LGFeb 10") resolve the same on every machine.
CAPTURED_ON ?= 2026-11-23

.PHONY: venv demo test test-fast server bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11+ required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(BIN)/paperhouse --home $(HOME_DIR) ingest samples --captured-on $(CAPTURED_ON)
	$(BIN)/paperhouse --home $(HOME_DIR) sql "SELECT topic_code, topic_name, year, n_papers FROM publications_per_topic_year ORDER BY year, topic_code"

test: venv
	$(BIN)/python -m pytest

# The fast lane: no Prefect harness or server, no Dask, property tests at a tenth of their examples.
test-fast: venv
	PAPERHOUSE_TEST_LANE=fast $(BIN)/python -m pytest -m "not slow and not server"

# Benchmark at 100k and 1M records (generates ~1.3 GB under bench-data/ on first run).
bench: venv
	$(BIN)/python benchmarks/run.py --sizes 100000 1000000

# A local Prefect server (127.0.0.1:4200, state under $(HOME_DIR)/prefect) for `paperhouse schedule`.
server: venv
	$(BIN)/paperhouse --home $(HOME_DIR) server

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache .hypothesis
