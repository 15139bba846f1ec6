# cchc — two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export CCHC_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test lint messages bench clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

## make demo: virtualenv, install, migrate, load the demo province, print logins, serve on 127.0.0.1:8000
demo: $(VENV)/.installed
	$(BIN)/cchc demo

## make test: test dependencies (Debian chromium and gettext when run as root), ruff, the whole pytest suite
test: $(VENV)/.installed-test
	scripts/system-deps.sh --if-root
	$(BIN)/ruff check cchc tests bench
	CCHC_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check cchc tests bench

## make messages: refresh and compile the Vietnamese catalogs of every app
messages: $(VENV)/.installed
	for app in cchc/*/locale; do \
	  (cd $$app/.. && DJANGO_SETTINGS_MODULE=cchc.settings $(CURDIR)/$(BIN)/django-admin makemessages -l vi --no-obsolete \
	   && DJANGO_SETTINGS_MODULE=cchc.settings $(CURDIR)/$(BIN)/django-admin compilemessages) || exit 1; \
	done

## make bench: dossier statistics benchmark, 20 million synthetic dossiers (pandas, a test extra, is the peer)
bench: $(VENV)/.installed-test
	$(BIN)/python bench/dossiers.py

system-deps:
	scripts/system-deps.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
