# Everything runs from .venv/, created by `make install` from Python >= 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# axe-core for the accessibility browser test, from the npm registry at the version in
# tests/axe/package-lock.json (the test injects it from disk; no CDN).
AXE := tests/axe/node_modules/axe-core/axe.min.js

.PHONY: install lock lint build serve test validate bench clean

install: $(STAMP) $(AXE)

# Dependencies come from requirements.lock (exact versions and hashes, Python 3.11, any platform);
# the project itself is installed editable on top, without touching them.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(AXE): tests/axe/package.json tests/axe/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd tests/axe && npm ci --no-audit --no-fund --silent && touch node_modules/axe-core/axe.min.js; \
	else echo "npm not found: the accessibility test will skip (apt-get install nodejs npm)" >&2; fi

# Re-resolve requirements.lock from pyproject.toml (dependencies + the test extra) after editing
# them, or to take newer releases (`make lock UPGRADE=--upgrade`). Needs the package index.
UPGRADE ?=
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'uv>=0.9'
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		--generate-hashes $(UPGRADE) --output-file requirements.lock

# Reproducible builds: sitemap.xml.gz embeds a date; pin it to the last commit's (or to $SOURCE_DATE_EPOCH).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

build: $(STAMP)
	rm -rf site.tmp
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site.tmp && rm -rf site && mv site.tmp site

# `PORT=8001 make serve` to serve elsewhere; a busy port is one clear line, not a traceback.
PORT ?= 8000
serve: $(STAMP)
	@$(BIN)/python -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); r=s.connect_ex(('127.0.0.1', $(PORT))); sys.exit(r == 0 and 'port $(PORT) is busy: try PORT=8001 make serve')"
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(PORT)

validate: $(STAMP)
	$(BIN)/pipeline-tracker validate

# Scale benchmark: synthetic 1k/5k/10k-drug trees (BENCH_SIZES=1000 for a quick run); writes
# benchmarks/README.md. Takes tens of minutes at full size; not part of `make test`.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# Lint, format, types and workflow files; `make test` runs it first.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

# One process per core, a test file's tests in one process (its fixtures made once): `pytest`
# alone runs them one by one, as when looking into one test. axe-core comes first, as in `make
# install`: without it the accessibility tests skip (npm missing says so above the tests).
test: lint $(AXE)
	$(BIN)/python -m pytest -n auto --dist loadfile

clean:
	rm -rf site site.tmp $(VENV) tests/axe/node_modules
