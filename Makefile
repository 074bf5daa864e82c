# The two commands: `make run` and `make test`. Everything else is here for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9

.DEFAULT_GOAL := help
.PHONY: help install run shell manage test system lint format bench load test-external messages clean

help:
	@echo "make run    serve the site with demo data on http://127.0.0.1:$${PORT:-8000}/"
	@echo "make test   lint, then the whole test suite"
	@echo "make bench  seed a large data set and time the pages (results in var/bench/)"
	@echo "make load   200 staff at once against gunicorn for two minutes (results in var/bench/)"
	@echo "make shell  a Django shell on the development database"
	@echo "make manage ARGS=\"…\"  any management command, e.g. ARGS=\"createsuperuser\""

# The virtual environment, installed from the lock file (uv.lock) and nothing else.
$(BIN)/.installed: pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --quiet
	touch $@

install: $(BIN)/.installed

run: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py serve

# Management commands in debug, like `make run`: keys made under var/, embedded servers unless
# DATABASE_URL / REDIS_URL name others.
shell: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py shell

manage: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py $(ARGS)

# The Debian packages the tests need (a browser, gettext, Pango, fonts): named when missing.
system:
	@missing="$$(bash .ci/missing-packages)"; \
	if [ -n "$$missing" ]; then \
	  echo "make test needs Debian packages this machine lacks. Install them with:"; \
	  echo "  sudo apt-get install $$missing"; \
	  echo "(or run 'bash .ci/run', which installs them and then runs make test)"; \
	  exit 1; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(BIN)/djlint templates --check
	$(BIN)/lint-imports
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

test: system lint
	$(BIN)/python -m ipv.core.translations
	$(BIN)/python -m pytest

# The suite against the servers named by DATABASE_URL and REDIS_URL, e.g. this machine's:
#   make test-external DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipv REDIS_URL=redis://127.0.0.1:6379/5
test-external: system install
	test -n "$(DATABASE_URL)" && test -n "$(REDIS_URL)"
	$(BIN)/python -m ipv.core.translations
	DATABASE_URL=$(DATABASE_URL) REDIS_URL=$(REDIS_URL) $(BIN)/python -m pytest

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/djlint templates --reformat --quiet

messages: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l fr -l en --no-location --ignore ".venv/*" --ignore "var/*"

# Production settings (no debug, cached templates, hashed static files), a throwaway key.
BENCH_ENV := DJANGO_LOG_LEVEL=WARNING DJANGO_DEBUG=0 DJANGO_SECRET_KEY=bench-only-not-a-secret IPV_FIELD_ENCRYPTION_KEY=YmVuY2gtb25seS1maWVsZC1rZXktbm90LXNlY3JldCE= DJANGO_ALLOWED_HOSTS=testserver IPV_BASE_URL=http://testserver DJANGO_SECURE_SSL_REDIRECT=0

bench: install
	$(BIN)/python -m ipv.core.translations
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BENCH_ENV) $(BIN)/python manage.py bench $(ARGS)

# Locust against gunicorn on loopback, production settings as the bench's; shorter with e.g.
#   make load ARGS="--users 20 --time 20s"
load: install
	$(BIN)/python -m ipv.core.translations
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BENCH_ENV) $(BIN)/python manage.py load $(ARGS)

clean:
	rm -rf $(VENV) var/staticfiles
