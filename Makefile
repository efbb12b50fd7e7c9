# Two commands on a fresh machine: `make run` serves the site, `make test` checks everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
DKFDS := app/static/dkfds
CATALOGS := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
export FLASK_APP := app

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

# --- setup: each step is skipped when its stamp is newer than what it depends on -----------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(DKFDS)/.copied: node_modules/.package-lock.json
	rm -rf $(DKFDS)
	mkdir -p $(DKFDS)
	cp -r node_modules/dkfds/dist/css node_modules/dkfds/dist/js node_modules/dkfds/dist/img $(DKFDS)/
	mkdir -p $(DKFDS)/fonts/IBMPlexSans/complete
	cp -r node_modules/dkfds/dist/fonts/IBMPlexSans/complete/woff2 node_modules/dkfds/dist/fonts/IBMPlexSans/complete/woff $(DKFDS)/fonts/IBMPlexSans/complete/
	touch $@

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

# WeasyPrint draws the PDF report with Pango and needs at least one font (Debian packages).
$(VENV)/.system-libs: | $(BIN)/python
	@if ! ldconfig -p | grep -q libpangoft2-1.0.so.0 || ! fc-list 2>/dev/null | grep -q .; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-dejavu-core; \
	  else \
	    echo "PDF reports need: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"; \
	  fi; \
	fi
	touch $@

/usr/bin/chromium:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# The Nu HTML Checker (node_modules/vnu-jar, run by tests/test_html_validity.py) needs Java 17+.
/usr/bin/java:
	command -v java >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; }

# pdfinfo (poppler-utils) checks that the PDF report is tagged.
/usr/bin/pdfinfo:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils

# LibreOffice Calc without its GUI opens and recalculates every workbook the site gives out, in a test.
/usr/bin/soffice:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  libreoffice-calc-nogui

# pg_dump and pg_restore back up and restore a PostgreSQL database (flask backup, tests/test_backup.py).
/usr/bin/pg_dump:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client

# nginx: in front of the gunicorn instances (make serve, tests/test_load.py) and serving the
# static export (tests/test_static_export.py). Debian's package may also start its own service on
# port 80, which neither uses.
/usr/sbin/nginx:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx

# initdb and pg_ctl (the server's own tools): tests/test_db_restart.py restarts a private cluster.
postgres-server:
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; }

setup: $(VENV)/.installed $(VENV)/.system-libs $(DKFDS)/.copied $(COMPILED) ## Install the package, front-end assets and translations
setup-test: setup $(VENV)/.installed-test /usr/bin/chromium /usr/bin/java /usr/bin/pdfinfo /usr/bin/soffice /usr/bin/pg_dump /usr/sbin/nginx postgres-server ## Also install test tools, Chromium, Java, pdfinfo, LibreOffice Calc, pg_dump, nginx and the PostgreSQL server

db: setup ## Create or upgrade the database (SQLite in instance/ unless DATABASE_URL is set)
	$(BIN)/flask db upgrade

# --- the two commands -------------------------------------------------------------------------------

run: db ## Serve the site at http://127.0.0.1:5000
	@echo "Serving at http://$(HOST):$(PORT)/  (Ctrl+C stops)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: setup-test lint ## Lint, then the whole test suite, browser tests included
	$(BIN)/pytest

# --- the rest ---------------------------------------------------------------------------------------

lint: $(VENV)/.installed-test ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

translations: $(VENV)/.installed ## Extract UI strings to messages.pot and merge them into the da/sv catalogs
	$(BIN)/pybabel extract --no-location --sort-output --omit-header -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete --no-fuzzy-matching --width 100 -i app/translations/messages.pot -d app/translations

migration: db ## Make a new migration from model changes: make migration m="what changed"
	$(BIN)/flask db migrate -m "$(m)"

db-check: db ## Check that models and migrations agree
	$(BIN)/flask db check

bench: setup /usr/sbin/nginx ## Benchmark on gunicorn (ratios to a trivial route) and the static export on nginx; writes bench/RESULTS.md
	$(BIN)/python bench/run.py
	$(BIN)/python bench/advisor.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/report.py

prod: db ## Serve with gunicorn the way production does (needs SECRET_KEY, PUBLIC_URL and APP_ENV=production)
	$(BIN)/python -m compileall -q app
	BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'

serve: setup /usr/sbin/nginx ## nginx in front of INSTANCES (2) gunicorn instances, production settings (see README)
	$(BIN)/python -m compileall -q app
	$(BIN)/python deploy/serve.py

clean: ## Remove the venv, node_modules, copied assets and compiled catalogs
	rm -rf $(VENV) node_modules $(DKFDS) $(COMPILED)

.PHONY: help postgres-server setup setup-test db run test lint format translations migration db-check bench prod serve clean
