# communaute: two commands on a fresh machine (Python 3.11+ and make): `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := communaute
#: `make run PORT=5001`: flask run reads FLASK_RUN_PORT, and so do the settings, so the links
#: in emails follow (unless COMMUNAUTE_PUBLIC_URL says otherwise).
PORT ?= 5000

.PHONY: run test install install-test translations extract lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

# Compiles every French catalog (committed compiled too, so an installed copy has them).
translations: | $(VENV)/.installed
	$(BIN)/flask translate compile

# Collects new strings into each catalog; then translate the empty msgstr in fr/.
extract: $(VENV)/.installed
	$(BIN)/flask translate extract

# The web server and, beside it as in production, the outbox worker that sends its email
# (at a lower priority: pages first; a sign-up is answered sooner than when the web process
# sends too, bench/RESULTS.md, Session 8). Ctrl-C stops both.
RUN_ENV = COMMUNAUTE_ENV=development OUTBOX_DELIVERY=worker PAGE_CACHE_STORE=process FLASK_RUN_PORT=$(PORT)
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(RUN_ENV) nice -n 10 $(BIN)/flask outbox worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/flask run --host 127.0.0.1

test: install-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Load benchmark (needs PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379 and wrk, which
# it installs from Debian's packages if missing): writes bench/RESULTS.md.
bench: $(VENV)/.installed-test
	command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/*.sqlite3
