# The two set-up commands of the README: `make results` and `make test`.
.PHONY: results test test-fast lint bench venv

venv:
	@bash tools/bootstrap.sh

results: venv
	.venv/bin/cstosim batch --out results/batch

# everything CI runs: lint, types, then every test tier (import contracts are a test)
test: lint
	.venv/bin/python -m pytest

# the unit and property tiers, without what starts processes, Dask, a browser or a calibration;
# two processes, and compiled test modules kept between runs (a machine may forbid .pyc files)
test-fast: venv
	PYTHONDONTWRITEBYTECODE= .venv/bin/python -m pytest -n 2 -m "(unit or property) and not slow"

lint: venv
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/ruff format --check src tests benchmarks
	.venv/bin/mypy

bench: venv
	.venv/bin/python benchmarks/bench_cli.py
	.venv/bin/python benchmarks/bench_worlds.py
	.venv/bin/python benchmarks/bench_sweep.py
