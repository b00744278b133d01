# The README's two commands: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
# PySpark joins the test extras where a Java runtime exists (its backend tests skip otherwise).
comma := ,
JAVA := $(shell command -v java 2>/dev/null)
TEST_EXTRAS = dev,data,duckdb,polars,docs$(if $(JAVA),$(comma)spark)
LINT_PATHS  = $(wildcard src tests benchmarks examples docs/scripts)

.PHONY: demo test test-thorough lint typecheck pytest test-pandas22 cross-venv docs clean bench bench-env bench-speed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files re-install only when pyproject.toml changes.
$(VENV)/.installed-runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$(TEST_EXTRAS)]"
	touch $@ $(VENV)/.installed-runtime

demo: $(VENV)/.installed-runtime
	$(BIN)/rpeval demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy --strict src

# Two pytest-xdist workers (the machines have 2 cores); work stealing keeps each module's
# tests together on one worker where it can. `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2
XDIST = -n $(PYTEST_WORKERS) $(if $(filter 0,$(PYTEST_WORKERS)),,--dist worksteal)

pytest: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q $(XDIST)

# Every property test with its whole example budget (make test draws a third).
test-thorough: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=thorough $(BIN)/python -m pytest -q $(XDIST)

# pandas 2.2 is supported too: the suite runs again against it in its own venv.
PANDAS22 = .venv-pandas22
$(PANDAS22)/.installed: pyproject.toml
	$(PYTHON) -m venv $(PANDAS22)
	$(PANDAS22)/bin/python -m pip install --quiet --upgrade pip
	$(PANDAS22)/bin/python -m pip install --quiet -e ".[data,duckdb,polars]" "pandas==2.2.*" pytest hypothesis pytest-xdist
	touch $@

test-pandas22: $(PANDAS22)/.installed
	$(PANDAS22)/bin/python -m pytest -q -p no:cacheprovider $(XDIST)

# The same evaluation in both venvs gives the same results.json (numbers to 1e-12).
CROSS = .cross-venv
cross-venv: $(VENV)/.installed-test $(PANDAS22)/.installed
	rm -rf $(CROSS)
	$(BIN)/rpeval demo --out $(CROSS)/pandas3 --no-progress > /dev/null
	$(PANDAS22)/bin/rpeval demo --out $(CROSS)/pandas22 --no-progress > /dev/null
	$(BIN)/python tests/compare_results.py $(CROSS)/pandas3/results.json $(CROSS)/pandas22/results.json

docs: $(VENV)/.installed-test
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

test: lint typecheck pytest test-pandas22 cross-venv docs

# Benchmarks run on demand, never in CI. lifelines (the anchor) gets its own venv: it pins pandas<3.
bench-env: $(VENV)/.installed-runtime
	$(PYTHON) -m venv benchmarks/.venv-lifelines
	benchmarks/.venv-lifelines/bin/python -m pip install --quiet -r benchmarks/requirements-lifelines.txt

# Issue 23's table (cold imports, first call and steady state beside lifelines, evaluate at
# 1M people) written into docs/benchmarks.md: one command, about 3 minutes on the quiet machine (more under load).
bench-speed: $(VENV)/.installed-runtime
	$(BIN)/python benchmarks/bench_speed.py --update-docs

bench: $(VENV)/.installed-runtime
	$(BIN)/python benchmarks/bench_cox.py $(if $(wildcard benchmarks/.venv-lifelines/bin/python),--lifelines benchmarks/.venv-lifelines/bin/python)
	$(BIN)/python benchmarks/bench_match.py

clean:
	rm -rf $(VENV) $(PANDAS22) $(CROSS) site .pytest_cache .mypy_cache .ruff_cache .hypothesis
