# The two set-up commands are `make report` and `make test`. Both install what is missing
# (system packages, the virtual environment with the locked dependencies) and do no
# installing when nothing changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.wgreport-installed
BROWSER := tools/browser
BROWSER_STAMP := $(BROWSER)/node_modules/.wgreport-installed
YEAR   ?= 2024
# The suite runs on every core (pytest-xdist), a test file per worker at a time, so that a
# module's shared build is made once. TEST_WORKERS=0 runs it in one process.
# --no-loadscope-reorder hands the files out in collection order (tests/e2e/, the whole
# builds, before tests/unit/) instead of xdist's default, most tests first: that default
# left the files of one to three long tests (the whole year, the crash, concurrency and
# browser tests) to the end, where a worker cannot share a file with the other.
TEST_WORKERS ?= auto
export PREFECT_HOME := $(CURDIR)/.prefect
# Python keeps each module it compiles (__pycache__/, ignored by git) for the processes after
# it, pytest's rewritten test modules included. This workplace's machines and CI set
# PYTHONDONTWRITEBYTECODE, so nothing was kept: each of a test run's Python processes
# compiled the project's modules again, and each pytest process rewrote every test module
# (collecting the suite: 7.3 to 8.3 s of CPU, 2.6 s with them kept). The dependencies are
# compiled when installed (uv --compile-bytecode).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: report test test-unit test-e2e check lint fmt golden page-images portal-images system system-test install browser-tools clean lock

report: system install
	$(BIN)/wgreport build --year $(YEAR)

test: system-test install browser-tools
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The suite's two halves: tests/unit/ (no whole report, browser, kill or Prefect: the quick
# loop while editing) and tests/e2e/ (whole-report builds, browsers, kills, Prefect flows).
# `make test` runs both.
test-unit: system-test install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder tests/unit

test-e2e: system-test install browser-tools
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder tests/e2e

# The checks of every commit: formatting, lint and types (`lint`), then the whole test suite
# (`test`). `make check test` runs the suite once: make builds a target once per run.
check: lint test

# `scripts/catalogues check` fails when src/wgreport/locale/messages.pot is stale (run
# `scripts/catalogues extract`) or a shipped language misses a message.
lint: install
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy src tests
	$(BIN)/python scripts/catalogues check

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerates the golden tree (tests/golden/tree/) deliberately; review the diff before
# committing. The golden test itself only reads it.
golden: system-test install
	$(BIN)/python scripts/update-golden

# The README's page images (docs/images/*.png): the cover, a chart page and a member
# chapter of the demo edition's newest draft, built first if there is none.
# the Korean edition's too: a draft built with --lang ko (report.ko.pdf beside report.pdf)
page-images: system-test install
	@test -e outputs/$(YEAR)/latest/report.ko.pdf || $(BIN)/wgreport build --year $(YEAR) --lang ko
	$(BIN)/python scripts/page-images $(YEAR)

# The README's portal screenshots (docs/images/portal-*.png): each role's main page in
# headless Chromium, over a throwaway copy of the demo inputs (its draft built through the
# portal, by the Prefect flow).
portal-images: system-test install browser-tools
	$(BIN)/python scripts/portal-images

system:
	@scripts/setup-system.sh

system-test:
	@scripts/setup-system.sh --test

install: $(STAMP)

# Test-only: vnu-jar (the W3C Nu HTML Checker), axe-core and playwright-core, from the
# lock file. --ignore-scripts: vnu-jar's post-install would try to download a Java; we use
# the system's (default-jre-headless), and playwright-core drives Debian's chromium.
browser-tools: $(BROWSER_STAMP)

$(BROWSER_STAMP): $(BROWSER)/package.json $(BROWSER)/package-lock.json
	cd $(BROWSER) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "wgreport needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)

# uv (pinned with its hashes in requirements-uv.lock, installed by pip) installs the locked
# dependencies: 14 s with their bytecode compiled, where pip took 72 s on 2 cores.
# --compile-bytecode as pip does: where PYTHONDONTWRITEBYTECODE is set, nothing would
# otherwise ever be compiled, and every process would compile Prefect and pandas again.
$(STAMP): requirements.lock pyproject.toml $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode --require-hashes --no-deps -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

$(BIN)/uv: requirements-uv.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-uv.lock
	touch $@

# Re-locks the dependencies (needs network access to PyPI): make lock, then commit
# requirements.lock. Needs only uv, not the old lock installed.
lock: $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml --extra build --extra dev --generate-hashes --python-version 3.11 \
		--index-url https://pypi.org/simple -o requirements.lock

clean:
	rm -rf $(VENV) .prefect .mypy_cache .ruff_cache .pytest_cache $(BROWSER)/node_modules
