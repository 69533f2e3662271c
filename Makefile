# The two quick-start commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install sysdeps clean

# Debian packages the browser tests need: Chromium (Playwright drives it; its own browser
# download does not work offline) and a CJK font so Chinese is drawn, not boxes.
SYSDEPS := chromium fonts-noto-cjk

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

sysdeps:
	@missing=$$(for p in $(SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
	    || { echo "could not install $$missing (needs apt-get and root or sudo)"; exit 1; }; \
	fi

## Build the knowledge graph of the bundled sample page into out/
demo: $(STAMP)
	$(BIN)/kg build seeds/ -o out/

## The whole test suite, real Neo4j included (the tests start the server themselves)
test: $(STAMP) sysdeps
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest

clean:
	rm -rf out .work
