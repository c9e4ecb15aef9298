# `make run` and `make test` are all a newcomer needs; both set up what is missing.
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck unit bench setup interop-setup clean

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
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
