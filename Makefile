# make run: set up .venv from nothing (footwork, the four packs, test tools) and run the dev server.
# make test: set up the same .venv and run the whole test suite.
# make lint: ruff, and mypy (configured in pyproject.toml) with no errors.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# heel-raises and toe-walking come before foot, which depends on them.
PACKS := heel-raises toe-walking ankle foot
PORT ?= 5000

.PHONY: setup run test bench lint clean

$(VENV)/.installed: pyproject.toml $(foreach p,$(PACKS),packs/$(p)/pyproject.toml)
	$(PYTHON) -c 'import sys; sys.exit("Footwork needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[serve,test]' $(foreach p,$(PACKS),-e packs/$(p))
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/footwork packs
	$(BIN)/footwork routines
	$(BIN)/footwork serve --dev --port $(PORT)

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/narration.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/endpoint.py
	$(BIN)/python bench/stores.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info packs/*/build packs/*/*.egg-info
