# khabar: one command sets up and runs the demo, one runs the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CAMEL := camel-tools==1.6.0

.PHONY: setup demo test lint bench load clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# camel-tools without its torch/transformers dependencies: we use only utils + tokenizers.
	$(BIN)/pip install -q --no-deps $(CAMEL)
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/khabar demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -m "not load"

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build .pytest_cache
