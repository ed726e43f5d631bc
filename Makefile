# Kemitraan. `make run` serves the demo program; `make test` runs the whole suite.
# See README.md for the command table and configuration.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install install-dev run serve worker test lint fmt check migrate seed messages clean backup restore loadtest e2e

help:  ## List the commands
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.version_info[:2] == (3, 11) or print("warning: Kemitraan targets Python 3.11; found", sys.version.split()[0])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed  ## Create .venv and install the runtime dependencies

install-dev: $(VENV)/.installed-dev  ## Install the test and lint tools too

run: $(VENV)/.installed  ## Migrate, seed the demo program and serve http://127.0.0.1:8000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: $(VENV)/.installed  ## Run a Celery worker with beat (needs REDIS_URL or CELERY_BROKER_URL)
	$(VENV)/bin/celery -A config worker --beat --loglevel INFO

test: $(VENV)/.installed-dev  ## Run the whole suite on PostgreSQL, Redis and a real Celery worker
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev  ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(VENV)/.installed-dev  ## Format and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: $(VENV)/.installed  ## Django system checks and missing migrations
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

migrate: $(VENV)/.installed  ## Apply migrations
	$(PY) manage.py migrate --noinput

seed: $(VENV)/.installed  ## Load the demo program (idempotent)
	$(PY) manage.py seed_demo

backup:  ## Back up the PostgreSQL database (DATABASE_URL) to var/backups/, or to BACKUP_FILE=...
	@bash scripts/backup.sh $(BACKUP_FILE)

restore:  ## Restore FILE=... into DATABASE_URL (or TARGET_DATABASE_URL=...); FORCE=1 overwrites a non-empty one
	@bash scripts/restore.sh $(if $(FORCE),--force) $(FILE)

e2e: $(VENV)/.installed-dev  ## Only the browser tests (Playwright on /usr/bin/chromium; part of make test)
	@test -x "$${E2E_CHROMIUM:-/usr/bin/chromium}" || { echo "make e2e: no Chromium at $${E2E_CHROMIUM:-/usr/bin/chromium} (Debian: sudo apt-get install chromium)"; exit 1; }
	$(VENV)/bin/pytest -m e2e $(PYTEST_ARGS)

loadtest: $(VENV)/.installed-dev  ## Locust, 50 users for 60 s, on gunicorn with 2 workers (docs/performance.md)
	@bash loadtest/run.sh

messages: $(VENV)/.installed  ## Update and compile translations (needs gettext)
	$(PY) manage.py makemessages --locale id --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	$(PY) manage.py compilemessages --locale id --ignore '.venv/*'

clean:  ## Remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
