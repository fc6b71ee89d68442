# Two entry points on a fresh machine (see README):
#   make demo  — create the environment and parse the example report with the shipped model
#   make test  — create the environment and run the test suites
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
EXAMPLE := $(SHARED)/examples/deir-ez-zor-daily-report.txt

.PHONY: setup demo test test-fast lint encoder train evaluate bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch is pinned and installed first: a bare "torch" would pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/conflictner parse $(EXAMPLE) --format table

test: setup
	$(BIN)/python -m pytest -q
	$(BIN)/python -m pytest -q -m model

test-fast: setup
	$(BIN)/python -m pytest -q -x -k "not resumes and not notebooks and not encoder"

lint: setup
	$(BIN)/ruff check conflictner training benchmarks tests

encoder: setup
	$(BIN)/conflictner build-encoder --out models/base-e5-small-trimmed --shared $(SHARED)

train: encoder
	$(BIN)/conflictner train --config configs/default.toml

evaluate: setup
	$(BIN)/conflictner evaluate --model conflictner/model --data annotations --split test

bench: setup
	$(BIN)/python benchmarks/bench_parse.py --model conflictner/model --shared $(SHARED)

clean:
	rm -rf $(VENV) build *.egg-info
