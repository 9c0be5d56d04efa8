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

.PHONY: setup tools demo test lint bench load clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# camel-tools without its torch/transformers dependencies: we use only utils + tokenizers.
	$(BIN)/pip install -q --no-deps $(CAMEL)
	touch $(STAMP)

setup: $(STAMP)

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

tools: $(SAM_STAMP) $(CHECKOV_STAMP)

demo: $(STAMP)
	$(BIN)/khabar demo

test: $(STAMP) tools
	$(BIN)/ruff check .
	$(BIN)/pytest -m "not load"

bench: $(STAMP)
	$(BIN)/khabar bench

load: $(STAMP)
	$(BIN)/pytest -m load -s

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build .pytest_cache
