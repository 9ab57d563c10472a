# The README's two commands: `make demo` and `make test`. Both create .venv when missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench schemas clean lock dist

$(STAMP): pyproject.toml sandbox/pyproject.toml constraints.txt
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]' -e ./sandbox
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(STAMP) lint
	$(BIN)/python -m pytest -n 2 -q

# Wheels for CI machines and laptops: dist/ecsplan-*.whl (the tool) and
# dist/ecsplan_sandbox-*.whl (the local emulated AWS, only where you want it).
dist: $(STAMP)
	rm -rf dist
	$(BIN)/pip wheel -q --no-deps -w dist . ./sandbox
	@ls dist

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

lock: $(STAMP)
	$(BIN)/pip install -q --upgrade -e '.[dev]' -e ./sandbox
	{ sed -n '1,3p' constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v '^-e'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

schemas: $(STAMP)
	$(BIN)/python scripts/gen_schemas.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
