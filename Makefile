# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Heavy downloads are cached outside the repository (the Asterisk root lives in
# /var/cache/callcenter/sandbox, see callcenter.toml's asterisk.sandbox_cache).
ifeq ($(shell id -u),0)
export PIP_CACHE_DIR ?= /var/cache/callcenter/pip
endif
DEPS_KEY := $(shell cat pyproject.toml scripts/install-system-deps.sh | sha1sum | cut -c1-12)
DEPS_STAMP := $(VENV)/.deps-$(DEPS_KEY)
SOURCES := callcenter tests migrations benchmarks

.PHONY: run test setup lint unit integration stop clean cluster-demo

$(DEPS_STAMP):
	bash scripts/install-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.deps-*
	touch $@

# What the daemon serves to browsers — the staff application (TypeScript, bundled by esbuild)
# and JsSIP for the widget — from the npm registry exactly as web/package-lock.json says
# (npm's cache, ~/.npm, makes reruns fast). The application's API types are generated from
# our own OpenAPI document first, so a changed endpoint breaks this build, not a page.
WEB_DEPS := web/node_modules/.package-lock.json
$(WEB_DEPS): web/package.json web/package-lock.json | $(DEPS_STAMP)
	npm ci --prefix web --no-audit --no-fund --loglevel=error </dev/null
	touch $@

WEB_SOURCES := $(shell find web/src web/build.mjs callcenter/http callcenter/app -type f \
	\( -name '*.ts' -o -name '*.css' -o -name '*.json' -o -name '*.mjs' -o -name '*.py' \) 2>/dev/null)
WEB_BUNDLE := web/dist/app/meta.json
$(WEB_BUNDLE): $(WEB_DEPS) $(WEB_SOURCES)
	$(BIN)/callcenter api openapi --output web/generated/openapi.json
	npm run --prefix web --silent build
	touch $@

setup: $(DEPS_STAMP) $(WEB_BUNDLE)

## run: install what is missing, start Asterisk and the daemon on the embedded defaults
run: setup
	bash scripts/install-system-deps.sh
	$(BIN)/callcenter sandbox up
	exec $(BIN)/callcenter run

## cluster-demo: two nodes (Asterisk + daemon each) and the SIP front on this machine,
## on one PostgreSQL (CLUSTER_DB), until Ctrl-C
CLUSTER_DB ?= postgresql+psycopg://postgres@127.0.0.1:5432/callcenter_demo
cluster-demo: setup
	$(BIN)/callcenter cluster demo --database $(CLUSTER_DB)

## stop: stop this instance's Asterisk (the daemon stops with Ctrl-C)
stop: setup
	$(BIN)/callcenter sandbox down

## test: lint, types, layering contracts (Python and the staff application's TypeScript:
## tsc, ESLint, Vitest), then every test (unit + real Asterisk + browser),
## on two workers, one test module per worker at a time (each with its own Asterisk)
test: setup lint
	bash scripts/install-system-deps.sh --tests
	$(BIN)/pytest -n 2 --dist loadfile --durations=20

lint: setup
	npm run --prefix web --silent check
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: setup
	$(BIN)/pytest tests/unit

integration: setup
	bash scripts/install-system-deps.sh --tests
	$(BIN)/pytest -n 2 --dist loadfile tests/integration

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
