# The README's commands. Everything installs from requirements.lock into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: bytecode run test fuzz lint format lock bench bench-cpu bench-instructions bench-scale bench-teams bench-engine bench-loops bench-disk clean openapi crash-test soak screenshots

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

# The project's own modules compiled to bytecode, as pip compiles the packages it installs (the
# project is installed editable, so pip does not). Every process that `make run`, the suite and
# the benchmarks start then loads them rather than compiling each from source: about 0.5 s of
# a server's start-up where Python may not write bytecode itself (PYTHONDONTWRITEBYTECODE, set
# on this project's machines). Files already compiled and unchanged are skipped.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q api models planner seed migrations bench tests

run: bytecode
	mkdir -p data
	$(BIN)/skillpath serve --host $(HOST) --port $(PORT)

# The suite, spread over TEST_WORKERS processes (pytest-xdist; `auto`: one per core, 0: none).
# At most 4: the tests that serve the app fill pools of PostgreSQL connections, and more at once
# could pass PostgreSQL's default limit of 100 connections.
TEST_WORKERS ?= auto
test: bytecode lint
	$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses 4

# A long schema-fuzzing campaign: random (not derandomized) examples, plus stateful sequences.
FUZZ_EXAMPLES ?= 500
fuzz: bytecode
	SKILLPATH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) SKILLPATH_FUZZ_DERANDOMIZE=0 SKILLPATH_FUZZ_STATEFUL=1 \
		$(BIN)/pytest tests/fuzz

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/hadolint Dockerfile

# The committed contract; a test fails when the app's schema differs from it.
openapi: bytecode
	$(BIN)/python -m api.openapi > openapi.json

# The README's pictures of the web app at 375 px and 1280 px, taken in Chromium by the browser
# tests' harness against a fresh server (needs apt-get install chromium).
screenshots: bytecode
	$(BIN)/python -m tests.browser.screenshots

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerates requirements.lock from pyproject.toml (needs network access to the package index).
lock:
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet uv
	.lock-venv/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes -o requirements.lock
	rm -rf .lock-venv

# Load benchmark of the service, served as `make run` serves it, against a bare FastAPI app run
# between every two scenarios; includes the write-then-read loop (needs wrk: apt-get install wrk).
# SKILLPATH_BENCH_DATABASE_URL=postgresql+psycopg://... BENCH_WORKERS=2 for PostgreSQL;
# BENCH_ONLY=PUT,roadmap for the scenarios whose names hold those words.
bench: bytecode
	$(BIN)/python -m bench.load

# CPU per request of each scenario, the service's and the database's (bench/cpu.py).
bench-cpu: bytecode
	$(BIN)/python -m bench.cpu

# Machine instructions per write-then-read request, the app driven in-process (no server), counted
# by valgrind: compares two versions of the code where timings are too noisy (bench/instructions.py;
# needs apt-get install valgrind, else it prints CPU time).
bench-instructions: bytecode
	$(BIN)/python -m bench.instructions

# The same endpoints on 10,000 topics, 40,000 edges, 100,000 learners, 1,000,000 progress records,
# and write-then-read against the seed catalog's in the same run.
bench-scale: bytecode
	$(BIN)/python -m bench.scale

# A team's matrix and coverage for 200 members on bench-scale's catalog, beside recommendations.
bench-teams: bytecode
	$(BIN)/python -m bench.team_matrix

# uvloop against asyncio on a bare FastAPI app doing 0.7 ms of work per request.
bench-loops: bytecode
	$(BIN)/python -m bench.loops

# The planner engine alone on a generated 10,000-topic catalog.
bench-engine: bytecode
	$(BIN)/python -m bench.engine

# How long this machine's disk takes to flush 8 KB, every 5 ms for 30 s (DISK_FOLDER: where;
# give the database's): the floor under every durable write's p99.
bench-disk: bytecode
	$(BIN)/python -m bench.disk

# SIGKILL the server mid-write-load, restart it, and check no acknowledged write was lost.
crash-test: bytecode
	$(BIN)/python -m bench.crash

# A 60-second mixed load (SOAK_SECONDS to change): no 5xx, and RSS growth under 10%.
soak: bytecode
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
