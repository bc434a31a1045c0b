# svgkit developer entry points. Every target sets up first (fast and silent when nothing changed).
#
#   make bench    set up, then run the main job: svgkit-bench on the bundled demo suite -> out/bench/demo
#   make demo     set up, then validate/summarise/render the core's bundled example SVGs
#   make test     set up, then ruff and the test suite (hypothesis profile `ci`)
#   make docs     set up, then build the Sphinx docs with warnings as errors -> docs/_build/html
#   make lint     ruff and mypy (strict) over the packages
#   make clip-smoke   install the pinned torch/torchvision/open_clip into .venv-clip and smoke-test
#
# EXTRAS=all make setup installs every extra (torch included, pinned by .ci/constraints.txt).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
EXTRAS ?= dev
PY := $(VENV)/bin/python
HYPOTHESIS_PROFILE ?= ci
export HYPOTHESIS_PROFILE

.PHONY: help setup bench demo test lint typecheck docs clip-smoke clean

help:
	@sed -n 's/^#   //p' Makefile

setup:
	@EXTRAS='$(EXTRAS)' VENV='$(VENV)' bash scripts/setup.sh

bench: setup
	$(VENV)/bin/svgkit-bench run $(BENCH_ARGS)

demo: setup
	$(PY) -m svgkit.demo

test: setup
	$(VENV)/bin/ruff check .
	@# pytest exits 5 when it collects no tests: that is a failure here, never a pass.
	$(PY) -m pytest $(PYTEST_ARGS) || { rc=$$?; [[ $$rc -eq 5 ]] && echo "make test: no tests were collected" >&2; exit $$rc; }

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

typecheck: setup
	$(VENV)/bin/mypy

docs: setup
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html

clip-smoke:
	bash scripts/clip-smoke.sh

clean:
	rm -rf docs/_build out/demo out/bench build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache
