# The two quick-start commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Build the knowledge graph of the bundled sample page into out/
demo: $(STAMP)
	$(BIN)/kg build seeds/ -o out/

## The whole test suite, real Neo4j included (the tests start the server themselves)
test: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest

clean:
	rm -rf out .work
