# The README's commands. Each target creates/refreshes .venv itself.
# paperhouse needs exactly Python 3.11 (pyproject: >=3.11,<3.12). python3.11 is used whenever it is on
# PATH, whatever python3 is; PYTHON=/path/to/python3.11 overrides. Without one, make stops with one line
# before creating .venv, and a .venv made by another Python version is recreated, never reused.
PYTHON_VERSION := 3.11
PYTHON ?= $(shell command -v python$(PYTHON_VERSION))
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOME_DIR ?= data
# The bundled samples were captured in 2026; pinning the capture date makes the
# demo's yearless dates (e.g. "LGFeb 10") resolve the same on every machine.
CAPTURED_ON ?= 2026-11-23
# Test processes (pytest-xdist): one per core, at most 4 (each may start its own Prefect server).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=15
# The version of the interpreter inside .venv ("" when there is none or it does not run).
VENV_PYTHON_VERSION := $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# A .venv of another version must be rebuilt even when its stamp is newer than pyproject.toml.
ifneq ($(VENV_PYTHON_VERSION),$(PYTHON_VERSION))
VENV_REBUILD := FORCE
endif
# Evaluated only when .venv must be (re)created: one line and a stop, before anything is touched.
python_found = $(shell "$(PYTHON)" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
no_python_msg = python$(PYTHON_VERSION) not found on PATH: paperhouse needs Python $(PYTHON_VERSION) (install it, or run make PYTHON=/path/to/python$(PYTHON_VERSION))
bad_python_msg = $(PYTHON) is Python $(or $(python_found),of unknown version), not $(PYTHON_VERSION): paperhouse needs Python $(PYTHON_VERSION) (run make PYTHON=/path/to/python$(PYTHON_VERSION))
require_python = $(if $(PYTHON),$(if $(filter $(PYTHON_VERSION),$(python_found)),,$(error $(bad_python_msg))),$(error $(no_python_msg)))

.PHONY: venv demo test test-fast test-explore server bench clean FORCE

$(STAMP): pyproject.toml $(VENV_REBUILD)
ifneq ($(VENV_PYTHON_VERSION),$(PYTHON_VERSION))
	$(require_python)
	$(if $(wildcard $(VENV)),@echo "note: $(VENV) is not a Python $(PYTHON_VERSION) environment: recreating it")
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
endif
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(BIN)/paperhouse --home $(HOME_DIR) ingest samples --captured-on $(CAPTURED_ON)
	$(BIN)/paperhouse --home $(HOME_DIR) sql "SELECT category, topic_name, year, n_papers FROM publications_per_topic_year ORDER BY year, category"

test: venv
	$(PYTEST)

# The fast lane: no Prefect harness or server, no Dask, property tests at a twentieth of their examples.
test-fast: venv
	PAPERHOUSE_TEST_LANE=fast $(PYTEST) -m "not slow and not server"

# Property tests with fresh random examples (make test uses a fixed, repeatable set).
test-explore: venv
	PAPERHOUSE_HYPOTHESIS=explore $(PYTEST) -m "not slow and not server"

# Benchmark at 100k and 1M records (generates ~1.3 GB under bench-data/ on first run).
bench: venv
	$(BIN)/python benchmarks/run.py --sizes 100000 1000000

# A local Prefect server (127.0.0.1:4200, state under $(HOME_DIR)/prefect) for `paperhouse schedule`.
server: venv
	$(BIN)/paperhouse --home $(HOME_DIR) server

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache .hypothesis

FORCE:
