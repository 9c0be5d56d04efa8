# khabar: one command sets up and runs the demo, one runs the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CAMEL := camel-tools==1.6.0
# Template checks' tools (tests/test_template.py), each in its own venv: they pin boto3/botocore
# versions that conflict with the project's. Pinned; a new pin reinstalls.
TOOLS := build/tools
SAM_CLI := aws-sam-cli==1.170.0
CHECKOV := checkov==3.3.30
SAM_STAMP := $(TOOLS)/sam/.installed-$(SAM_CLI)
CHECKOV_STAMP := $(TOOLS)/checkov/.installed-$(CHECKOV)

.PHONY: help setup tools demo test lint format typecheck bench load scale clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# camel-tools without its torch/transformers dependencies: we use only utils + tokenizers.
	$(BIN)/pip install -q --no-deps $(CAMEL)
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install khabar with its dev tools

$(SAM_STAMP):
	rm -rf $(TOOLS)/sam && $(PY) -m venv $(TOOLS)/sam
	$(TOOLS)/sam/bin/pip install -q --upgrade pip
	$(TOOLS)/sam/bin/pip install -q $(SAM_CLI)
	touch $@

$(CHECKOV_STAMP):
	rm -rf $(TOOLS)/checkov && $(PY) -m venv $(TOOLS)/checkov
	$(TOOLS)/checkov/bin/pip install -q --upgrade pip
	$(TOOLS)/checkov/bin/pip install -q $(CHECKOV)
	touch $@

tools: $(SAM_STAMP) $(CHECKOV_STAMP)  ## sam-cli and checkov for the template checks, each in its own venv

demo: $(STAMP)  ## the whole pipeline on moto's server (no AWS account)
	$(BIN)/khabar demo

test: $(STAMP) tools  ## lint, format check, type check and the tests (what CI runs)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -m "not load"

bench: $(STAMP)  ## speed, memory and start-up (docs/performance.md)
	$(BIN)/khabar bench

load: $(STAMP)  ## the big load test
	$(BIN)/pytest -m load -s

# The scale run (docs/scale.md): every N with every W, each on a fresh moto server; results also go to
# build/scale/<time>.json. The 1M run takes hours here: nohup make scale N=1000000 W=2 > build/scale/1m.log &
N ?= 10000 100000
W ?= 1 2
scale: $(STAMP)  ## scale run: N articles, W extract workers, nightly compaction (N=, W= to choose)
	mkdir -p build/scale
	$(BIN)/khabar scale --articles $(N) --workers $(W) --save build/scale/$$(date -u +%Y%m%dT%H%M%S).json

lint: $(STAMP)  ## ruff (style, imports, complexity gate)
	$(BIN)/ruff check .

format: $(STAMP)  ## format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix --select I .

typecheck: $(STAMP)  ## mypy on the package
	$(BIN)/mypy

clean:  ## remove the venv and build outputs
	rm -rf $(VENV) build .pytest_cache
