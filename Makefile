# The README's quick start. Every target sets itself up: nothing is installed by hand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
ADDR ?= 127.0.0.1:8000

# Material prints a banner about MkDocs 2 on every run; this project pins MkDocs below 2.
export NO_MKDOCS_2_WARNING := 1

.PHONY: site serve test check lint reference bench demo demo-serve clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

# The browser tests' tools, pinned in package-lock.json: axe-core and the Nu HTML Checker.
# --ignore-scripts: vnu-jar's install script would download a Java runtime when none is found;
# the tests use the system's Java instead (and skip, saying so, without it). Without npm the
# browser tests skip too, so this only warns.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --ignore-scripts --no-audit --no-fund && touch $@; \
	else \
	  echo "note: npm not found, so the browser tests will skip (install Node.js 18 or newer to run them)"; \
	fi

## site: build the site into site/ (strict: any warning or plan problem fails the build)
site: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

## serve: preview on http://$(ADDR)/ and reload the browser on every save
# MkDocs 1.6.1 reads its live-reload flag wrongly with some click releases, so ask for it.
# The engine's templates and assets reload too (this site has no overrides/ folder of its own).
serve: $(STAMP)
	$(BIN)/mkdocs serve --livereload --watch techplan/theme --dev-addr $(ADDR)

## test: lint, then run the whole test suite (.ci/ensure-browser installs the browser tests' tools where it can)
# The tools come first, so that npm is there for node_modules when it was missing.
test: lint
	@bash .ci/ensure-browser || echo "note: a browser test tool is missing: the tests that need it skip (fail under TECHPLAN_REQUIRE_BROWSER)"
	@$(MAKE) --no-print-directory $(NODE_STAMP)
	$(BIN)/python -m pytest

## check: check the plan's pages and data without building
check: $(STAMP)
	$(BIN)/techplan check

## reference: rewrite the field and settings reference in REFERENCE.md from techplan/plan/spec.py
reference: $(STAMP)
	$(BIN)/techplan reference --write REFERENCE.md

## lint: ruff's checks and its formatting over the engine, hooks, tests and benchmarks; mypy --strict on the engine
lint: $(STAMP)
	$(BIN)/ruff check techplan hooks tests bench
	$(BIN)/ruff format --check techplan hooks tests bench
	$(BIN)/mypy

## demo: replay four years of the plan's history (demo/story.yml) into .demo/repo and build its site into .demo/site
demo: $(STAMP)
	rm -rf .demo
	$(BIN)/python -m techplan.demo demo/story.yml .demo/repo --project .
	cd .demo/repo && TECHPLAN_CACHE=$(CURDIR)/.demo/cache ../../$(BIN)/mkdocs build --strict --site-dir ../site
	@echo "The demo site is in .demo/site; preview it with: make demo-serve"

## demo-serve: preview the demo site (after make demo)
demo-serve: $(STAMP)
	cd .demo/repo && ../../$(BIN)/mkdocs serve --livereload --dev-addr $(ADDR)

## bench: time the runs users have against plain Material, score pages with Lighthouse (bench/out/latest.md)
bench: $(STAMP)
	@bash .ci/ensure-browser || echo "note: no Chromium, so Lighthouse cannot run"
	cd bench/lighthouse && npm ci --ignore-scripts --no-audit --no-fund
	cd bench && ../$(BIN)/python run.py --lighthouse 3 --write out/latest.md

clean:
	rm -rf site $(VENV) node_modules
