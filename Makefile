# Two commands do all setup on a fresh machine: `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8050
# `make run SIM_ARGS=--sim-no-desk`: the demo's simulated dispatchers leave every new report to the people at the desk.
SIM_ARGS ?=

# `make serve-prod`: nginx on PORT (default 8080 here) in front of PROCESSES app processes (default: the cores),
# on PostgreSQL (DATABASE_URL) and Redis (REDIS_URL); WORKER=gevent for gevent instead of threads (measured slower: docs/deploy.md).
PROD_PORT := $(if $(filter command line environment,$(origin PORT)),$(PORT),8080)
PROCESSES ?= $(shell nproc 2>/dev/null || echo 2)
WORKER ?= gthread

.PHONY: run serve-prod test install browser node nginx lint bench bench-capacity bench-soak screenshots clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium (never a downloaded browser) and a CJK font so Chinese renders in headless screenshots.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qiE 'wqy|noto sans cjk'; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "chromium or a CJK font is missing: sudo apt-get install chromium fonts-wqy-microhei" >&2; fi; \
	fi

# Debian's nodejs for the JS unit tests (tests/js/, Node's built-in test runner; no npm packages).
node:
	@if ! command -v node >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null; \
	  else echo "node is missing: sudo apt-get install nodejs" >&2; fi; \
	fi

# Debian's nginx for serve-prod and its fault tests (run unprivileged from a generated conf under var/nginx/).
nginx:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  else echo "nginx is missing: sudo apt-get install nginx" >&2; fi; \
	fi

serve-prod: install nginx
	$(VENV)/bin/gridcmd serve-prod --init-if-empty --host $(HOST) --port $(PROD_PORT) --processes $(PROCESSES) --worker $(WORKER)

run: install
	$(VENV)/bin/gridcmd init-if-empty --demo-users
	$(VENV)/bin/gridcmd serve --simulate $(SIM_ARGS) --host $(HOST) --port $(PORT)

# Unit and integration tests run in two processes (each its own SQLite files, PostgreSQL schema and Redis key
# prefixes, see tests/conftest.py); browser and fault tests one at a time, as they start servers and kill them.
test: install browser node nginx
	node --test tests/js/*.test.js
	$(PY) -m pytest -q -rs -n 2 --dist loadfile --durations=15 tests/unit tests/integration
	$(PY) -m pytest -q -rs --durations=15 tests/e2e tests/faults

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The optional `bench` extra (matplotlib) draws the soak's plot. bench-capacity ≈ 10 min; bench-soak is an hour
# (SOAK_S=600 for ten minutes), writing bench/figures/soak.{json,png}.
SOAK_S ?= 3600
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install -q -e ".[test,bench]"
	touch $(BENCH_STAMP)

bench: install browser $(BENCH_STAMP)
	$(PY) bench/e2e_latency.py

bench-capacity: install nginx $(BENCH_STAMP)
	$(PY) bench/capacity.py capacity --json-out test-results/capacity.json

bench-soak: install browser nginx $(BENCH_STAMP)
	$(PY) bench/capacity.py soak --seconds $(SOAK_S)

# docs/screenshots/*.png: every view on a throw-away demo day (temp dir, embedded Redis, simulator); OUT= to move.
screenshots: install browser
	$(PY) bench/screenshots.py $(if $(OUT),--out $(OUT))

clean:
	rm -rf var/ test-results/
