# One entry point for newcomers and CI. Every install step lives here (a fresh machine has nothing else).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# The address `make run` serves; the development settings read them too (links in emails follow them).
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: install run test worker beat bench lint check messages system-deps demo clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP) messages

# gettext (msgfmt) compiles the catalogues; Chromium runs the browser tests. Both from Debian's packages.
system-deps:
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

messages: $(STAMP)
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)
	$(PY) manage.py compilemessages --verbosity 0 --ignore=.venv --ignore=node_modules

# The whole product: migrate, demo data, then web server + Celery worker + beat until Ctrl-C (helpdesk/supervisor.py).
run: install
	$(PY) manage.py runall

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

test: install system-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

worker: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-helpdesk.settings.dev} $(VENV)/bin/celery -A helpdesk worker -l info

beat: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-helpdesk.settings.dev} $(VENV)/bin/celery -A helpdesk beat -l info --schedule $${CELERY_BEAT_SCHEDULE_FILE:-celerybeat-schedule}

# make bench [TICKETS=1000000] [DATABASE_URL=postgres://…] [BENCH_REDIS_URL=redis://…] [BENCH_ARGS="--runs 10 …"]
TICKETS ?= 100000
BENCH_ARGS ?=
bench: install
	$(PY) bench/search.py
	$(PY) bench/notifications.py
	$(PY) bench/run.py --tickets $(TICKETS) $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) staticfiles
