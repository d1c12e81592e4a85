# make demo · make test · make bench — each creates .venv and installs the project when missing.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint lab

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) -m ipykernel install --sys-prefix --name orderflow --display-name "OrderFlow" >/dev/null
	$(PY) -m orderflow_lib.research.precompile
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/orderflow demo

test: $(STAMP)
	bash scripts/test.sh

bench: $(STAMP)
	bash scripts/bench.sh

lint: $(STAMP)
	bash scripts/lint.sh

lab: $(STAMP)
	$(VENV)/bin/python -m pip install --quiet jupyterlab
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks
