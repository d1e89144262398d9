# Two commands do all the set-up on a fresh machine that has only python3 (>= 3.11) and make:
#   make demo   — venv, install, score the bundled menin x venetoclax screen into demo-output/
#   make test   — venv, install with every extra, run the whole suite (notebooks included)
#   make docs   — the documentation site into docs/_build/html (notebooks executed, warnings = errors)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
PYTEST_ARGS ?=

.PHONY: demo test lint typecheck format docs bench clean

$(PY):
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "synergy needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[plot,io,progress]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-base

demo: $(VENV)/.installed-base
	$(BIN)/synergy demo --out demo-output --overwrite

test: $(VENV)/.installed-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev typecheck
	$(BIN)/ruff check src tests benchmarks notebooks docs
	$(BIN)/ruff format --check src tests benchmarks notebooks docs

# mypy on the public API: synergy/__init__.py and what it exposes (see [tool.mypy])
typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

docs: $(VENV)/.installed-dev
	$(BIN)/sphinx-build -W --keep-going -b html -j 1 docs docs/_build/html

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix src tests benchmarks notebooks
	$(BIN)/ruff format src tests benchmarks notebooks

bench: $(VENV)/.installed-dev
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache build dist docs/_build
	find src \( -name "*.nbi" -o -name "*.nbc" \) -delete
