# The two commands of the README, plus the pieces they are made of.
.PHONY: dev test bootstrap lint worker proto bench

dev: bootstrap
	.venv/bin/workerskv dev --demo

test:
	scripts/test

bootstrap:
	scripts/bootstrap

lint: bootstrap
	.venv/bin/ruff format --check .
	.venv/bin/ruff check .
	.venv/bin/mypy

worker:
	cd worker && npm ci --no-audit --no-fund && npm run build

proto: bootstrap
	scripts/gen-proto

bench: bootstrap
	.venv/bin/python bench/run.py
