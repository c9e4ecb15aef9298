# `make run` and `make test` are all a newcomer needs; both set up what is missing.
# uv through the Python that runs it: found wherever pip put it (user or system site, pyenv or not).
UV ?= python3 -m uv
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck bench setup interop-setup uv clean

uv:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | uv
	$(UV) sync --frozen --inexact
	touch $@

setup: .venv/.synced

run: setup
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

test: setup lint typecheck interop-setup
	$(PY) -m pytest

bench: setup
	$(PY) bench/stream_bench.py

clean:
	rm -rf .venv data .pytest_cache .mypy_cache .ruff_cache
