# `make run` and `make test` are all a newcomer needs; both set up what is missing.
# uv through the Python that runs it: found wherever pip put it (user or system site, pyenv or not).
UV ?= python3 -m uv
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

NPM ?= npm
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json

.PHONY: run test lint typecheck bench bench-web setup interop-setup idp-setup cosmos-setup uv clean web web-setup web-check api-client api-check

uv:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | uv
	$(UV) sync --frozen --inexact
	touch $@

setup: .venv/.synced

# The web app: npm packages from the lockfile, then a Vite build into the package's static folder.
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

web-setup: web/node_modules/.installed

src/scalechat/static/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && $(NPM) run --silent build

web: src/scalechat/static/index.html

# Type checks and unit tests of the web app.
web-check: web-setup
	cd web && $(NPM) run --silent typecheck && $(NPM) run --silent test

# The web app's API client is generated from the backend's OpenAPI document.
api-client: setup web-setup
	$(PY) -m scalechat openapi > web/openapi.json
	cd web && npx openapi-typescript openapi.json -o src/api/schema.d.ts >/dev/null

api-check: setup web-setup
	@tmp=$$(mktemp -d) && $(PY) -m scalechat openapi > $$tmp/openapi.json \
	  && (cd web && npx openapi-typescript $$tmp/openapi.json -o $$tmp/schema.d.ts >/dev/null) \
	  && if cmp -s $$tmp/openapi.json web/openapi.json && cmp -s $$tmp/schema.d.ts web/src/api/schema.d.ts; \
	     then rm -rf $$tmp; else rm -rf $$tmp; echo "The web app's API client is stale: run 'make api-client' and commit." >&2; exit 1; fi

run: setup web
	$(PY) -m scalechat serve --host $(HOST) --port $(PORT)

lint: setup
	$(UV) run --frozen ruff check src tests bench
	$(UV) run --frozen ruff format --check src tests bench

typecheck: setup
	$(UV) run --frozen mypy

# llama.cpp's server, for the interop test (compiles once, then cached by uv).
interop-setup: setup
	$(UV) sync --frozen --inexact --group interop
	touch .venv/.synced

# The sign-in tests' identity provider (tests/idp, npm oidc-provider): packages from its lockfile.
tests/idp/node_modules/.installed: tests/idp/package.json tests/idp/package-lock.json
	cd tests/idp && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

idp-setup: tests/idp/node_modules/.installed

# The Cosmos DB test server (tests/cosmos, npm @vercel/cosmosdb-server): packages from its lockfile.
tests/cosmos/node_modules/.installed: tests/cosmos/package.json tests/cosmos/package-lock.json
	cd tests/cosmos && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

cosmos-setup: tests/cosmos/node_modules/.installed

test: setup lint typecheck api-check web-check web interop-setup idp-setup cosmos-setup
	$(PY) -m pytest

bench: setup
	$(PY) bench/stream_bench.py

bench-web: setup web
	$(PY) bench/web_budget.py
	$(PY) bench/web_first_token.py

clean:
	rm -rf .venv data .pytest_cache .mypy_cache .ruff_cache web/node_modules tests/idp/node_modules tests/cosmos/node_modules src/scalechat/static
