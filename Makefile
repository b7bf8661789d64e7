# Everything runs from .venv/, created by `make install` from Python >= 3.10.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install build serve test validate bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Reproducible builds: sitemap.xml.gz embeds a date; pin it to the last commit's (or to $SOURCE_DATE_EPOCH).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

build: $(STAMP)
	rm -rf site.tmp
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site.tmp && rm -rf site && mv site.tmp site

serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

validate: $(STAMP)
	$(BIN)/pipeline-tracker validate

# Scale benchmark: synthetic 1k/5k/10k-drug trees (BENCH_SIZES=1000 for a quick run); writes
# benchmarks/README.md. Takes tens of minutes at full size; not part of `make test`.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf site site.tmp $(VENV)
