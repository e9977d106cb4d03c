# Atelier: `make run` serves the app with its worker; `make test` runs the whole suite.
# Both set up what they need: the virtualenv, Python packages, and (as root) Debian packages.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

RUN_DEBS := ffmpeg fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0
TEST_DEBS := $(RUN_DEBS) chromium zbar-tools poppler-utils nodejs npm

.PHONY: run test test-quick test-postgres setup system-run system-test translations database lint clean

run: system-run setup translations database
	@echo "Atelier on http://127.0.0.1:$(PORT) (web server and worker; Ctrl-C stops both)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python -m lms.worker & \
	$(BIN)/gunicorn --workers 2 --threads 4 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

test: system-test setup translations node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest -n auto --dist loadgroup -q

# Everything but the tests marked slow (browser journeys, gunicorn, flask subprocesses).
test-quick: system-test setup translations node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest -n auto --dist loadgroup -q -m "not slow"

# The same suite on PostgreSQL and Redis (the services this machine runs; see .ci/run).
test-postgres: system-test setup translations node_modules/axe-core/axe.min.js
	LMS_TEST_DATABASE_URL=$${LMS_TEST_DATABASE_URL:-postgresql://root@127.0.0.1:5432/test} \
	LMS_TEST_REDIS_URL=$${LMS_TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	$(BIN)/python -m pytest -n auto --dist loadgroup -q

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Debian packages: installed when missing and running as root, else the command is printed.
# Programs that may come from elsewhere (Node.js, ffmpeg, Chromium) count when on the PATH.
system-run:
	@$(MAKE) --no-print-directory _debs DEBS="$(RUN_DEBS)"

system-test:
	@$(MAKE) --no-print-directory _debs DEBS="$(TEST_DEBS)"

_debs:
	@missing=""; for p in $(DEBS); do \
	  case $$p in nodejs) command -v node >/dev/null && continue;; \
	    npm|ffmpeg|chromium) command -v $$p >/dev/null && continue;; esac; \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages. Run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

# axe-core stands for every npm test tool (the credential verifiers too): any change to the
# pinned packages reinstalls them all.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm install --no-audit --no-fund --silent
	touch $@

translations: setup
	@$(BIN)/pybabel -q compile -d lms/translations

# Extract strings and update the catalogues after changing interface text.
messages: setup
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k _nl:1,2 -k lazy_ngettext:1,2 --no-location \
	  --sort-output --project Atelier -o lms/translations/messages.pot .
	$(BIN)/pybabel -q update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching

database: setup
	@$(BIN)/flask db upgrade >/dev/null
	@$(BIN)/flask courses sync
	@if [ "$${LMS_ENV:-development}" != production ]; then $(BIN)/flask demo seed; fi

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) node_modules instance
