# 公共信息资源管理平台 — developer commands. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test bench lint messages screenshots clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## make run: the whole portal on SQLite with demo data, web + Celery worker/beat.
run: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	DJANGO_DEBUG=1 $(PY) manage.py serve

## make test: the whole suite (integration tests need DATABASE_URL / REDIS_URL).
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

## make bench: benchmarks under tests/bench (set DATABASE_URL to a PostgreSQL database).
bench: $(STAMP)
	$(PY) -m pytest tests/bench -o python_files='bench_*.py' -p no:cacheprovider -s -q $(PYTEST_ARGS)

## make screenshots: refresh docs/screenshots/ (main pages of every role, 1366 px and 390 px).
screenshots: $(STAMP)
	PORTAL_SCREENSHOTS=1 $(PY) -m pytest tests/e2e/test_layout.py -p no:cacheprovider -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## make messages: refresh and compile the English translation.
messages: $(STAMP)
	$(PY) manage.py makemessages -l en --ignore='.venv/*' --ignore='var/*'
	$(PY) manage.py compilemessages -l en --ignore='.venv/*'

clean:
	rm -rf $(VENV) var .pytest_cache
