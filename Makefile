# Two commands: `make run` starts the app, `make test` runs every test.
# Both create .venv/ and install the pinned requirements on first use: `make run` the app's
# (requirements.txt), `make test` those and the test tools' (requirements-test.txt); it also
# installs the system packages the tests use where it can (scripts/system_deps.sh).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# One stamp per requirement set, so `make test` after `make run` still installs the test pins.
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PORT ?= 8501

.PHONY: run test bench clean

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "audioml needs Python 3.11 or newer"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $(TEST_STAMP)

# app.py starts the Streamlit server on itself (see serve() there); .streamlit/config.toml applies.
run: $(STAMP)
	$(PY) app.py --server.port $(PORT)

test: $(TEST_STAMP)
	@sh scripts/system_deps.sh || true
	$(PY) -m pytest $(PYTEST_ARGS)

# The benchmarks drive the app in headless Chromium (playwright), a test tool.
bench: $(TEST_STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
