# 室蘭市 協働のまちづくりポータル — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run backup restore test test-clock fuzz lint format bench bench-render capacity drill drill-short messages catalogues migrations-check clean design-tokens

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its dev tools

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; else echo "npm not found: browser accessibility checks will be skipped"; fi
	@touch -c $@

TOKENS_DIR := static/vendor/digital-go-jp-design-tokens
design-tokens: ## Vendor the Digital Agency's design tokens, e.g. VERSION=1.1.9 (needs npm; then run the browser tests)
	@test -n "$(VERSION)" || { echo "usage: make design-tokens VERSION=x.y.z"; exit 2; }
	tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent @digital-go-jp/design-tokens@$(VERSION) >/dev/null \
	  && tar xzf digital-go-jp-design-tokens-$(VERSION).tgz && cd - >/dev/null \
	  && cp $$tmp/package/dist/tokens.css $$tmp/package/LICENSE $(TOKENS_DIR)/ && rm -rf $$tmp
	sed -i 's/^# @digital-go-jp\/design-tokens .*/# @digital-go-jp\/design-tokens $(VERSION)/' $(TOKENS_DIR)/README.md
	@echo "Now update the version in README.md (Dependencies) and run the browser tests."

catalogues: $(STAMP) ## Compile the translation catalogues (no GNU gettext needed)
	$(PY) manage.py compile_catalogues

messages: $(STAMP) ## Extract new strings into locale/ja (needs GNU gettext)
	$(PY) manage.py makemessages --locale ja --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'tests/*' --ignore 'bench/*' --no-location
	$(PY) manage.py compile_catalogues

run: $(STAMP) catalogues ## Set everything up and serve the demo on http://127.0.0.1:8000
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@echo
	@echo "  Portal:  http://$(HOST):$(PORT)/"
	@echo "  Admin:   http://$(HOST):$(PORT)/admin/  (sign in as admin@example.jp with the password printed above)"
	@echo "  E-mails (sign-up confirmation links) are printed in this terminal."
	@echo "  DEMO ONLY: the staff second factor (TOTP) is switched off (ADMIN_REQUIRE_MFA=false)."
	@echo "             It is always on when DEBUG is off."
	@echo
	ADMIN_REQUIRE_MFA=false $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP) catalogues node_modules/axe-core/axe.min.js ## Run the whole test suite (DATABASE_URL=postgres://... for PostgreSQL)
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

fuzz: $(STAMP) catalogues ## Fuzz every form with hypothesis's long profile (500 inputs per form; FUZZ_EXAMPLES=n); table in .fuzz/last.md
	HYPOTHESIS_PROFILE=long $(PY) -m pytest -n 2 -q -m fuzz -p no:cacheprovider $(PYTEST_ARGS)

test-clock: $(STAMP) catalogues ## The suite, browser tests aside, with the clock at AT (UTC), e.g. AT='2027-03-31 15:01:00'; needs Debian's faketime
	@test -n "$(AT)" || { echo "usage: make test-clock AT='YYYY-MM-DD HH:MM:SS' (UTC)"; exit 2; }
	@command -v faketime >/dev/null || { echo "faketime not found: apt-get install faketime"; exit 1; }
	TZ=UTC faketime '$(AT)' $(PY) -c 'import datetime as d; print("clock moved to", d.datetime.now().astimezone(d.timezone(d.timedelta(hours=9))), "JST")'
	TZ=UTC faketime '$(AT)' $(PY) -m pytest -n 2 -q -m "not browser" $(PYTEST_ARGS)

lint: $(STAMP) ## ruff, formatting, the import contracts, mypy, and migrations in step with the models
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(PY) manage.py makemigrations --check --dry-run

format: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) catalogues ## Load-test every page on PostgreSQL + Redis at volume against a bare view (--sqlite; see README)
	$(PY) bench/run.py $(BENCH_ARGS)

bench-render: $(STAMP) catalogues ## Time each public page's render in-process, no cache (see README)
	$(PY) bench/render.py $(RENDER_ARGS)

capacity: $(STAMP) catalogues ## Capacity run (locust, rising load until p95 > 200 ms); writes .bench/capacity.md
	$(PY) bench/run.py --capacity $(BENCH_ARGS)

BACKUP_DIR ?= backups/$(shell date -u +%Y%m%dT%H%M%SZ)
backup: $(STAMP) ## Back up the database (pg_dump) and the uploads with a manifest into BACKUP_DIR (default ./backups/<UTC time>)
	$(PY) manage.py backup --to "$(BACKUP_DIR)"

restore: $(STAMP) ## Restore drill of BACKUP_DIR=…: into the scratch database muroran_restore_drill and a temp dir, checked, smoke journey, then dropped
	@test -n "$(filter command line environment,$(origin BACKUP_DIR))" || { echo "usage: make restore BACKUP_DIR=backups/<time>"; exit 2; }
	$(PY) manage.py restore --from "$(BACKUP_DIR)" --scratch --drill

DRILL_PHASES = $(if $(PHASES),--phases $(PHASES))
drill: $(STAMP) catalogues ## Reliability drill: 1,000 people for 10 min, races, faults (PHASES=load,pg,…; root); table in .drill/last.md
	$(PY) bench/drill.py $(DRILL_PHASES) $(DRILL_ARGS)

drill-short: $(STAMP) catalogues ## The CI drill: the same with 2 minutes of load
	$(PY) bench/drill.py --short $(DRILL_PHASES) $(DRILL_ARGS)

clean: ## Remove the venv, local database, compiled catalogues and collected static files
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles .bench .drill
	find locale -name '*.mo' -delete
