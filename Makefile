# CLIxChat: `make run` starts the bot on the embedded default, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint typecheck bench clean

$(BIN)/clixchat: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/clixchat

run: setup
	$(BIN)/clixchat serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/pytest
	$(BIN)/clixchat validate
	$(BIN)/clixchat test --coverage

lint: setup
	$(BIN)/ruff check engine web tests bench
	$(BIN)/ruff format --check engine web tests bench
	$(BIN)/lint-imports --no-cache

typecheck: setup
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
