# The two set-up commands of the README: `make results` and `make test`.
.PHONY: results test lint bench venv

venv:
	@bash tools/bootstrap.sh

results: venv
	.venv/bin/cstosim batch --out results/batch

test: venv
	.venv/bin/python -m pytest

lint: venv
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/ruff format --check src tests benchmarks

bench: venv
	.venv/bin/python benchmarks/bench_worlds.py
	.venv/bin/python benchmarks/bench_sweep.py
