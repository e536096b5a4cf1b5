# Two commands do all the set-up on a fresh machine:
#   make run    installs what the app needs, then serves it on http://127.0.0.1:8501
#   make test   installs what the tests need (Python packages and Debian's chromium), then runs every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# pytest-xdist workers: each test file goes whole to one worker (a browser module's steps stay in order with their
# server), every Ray test to the same one (tests/conftest.py); WORKERS=0 runs them all in this process.
WORKERS ?= 2
PYTEST_PARALLEL := -n $(WORKERS)

.PHONY: run test test-fast lint setup setup-dev setup-ray browser bench clean-artifacts

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements-ray.txt $(VENV)/.installed
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev
setup-ray: $(VENV)/.installed   # optional: sweeps on Ray (requirements-ray.txt)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-ray.txt

browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@chromium --version

run: setup
	HF_HUB_OFFLINE=$${HF_HUB_OFFLINE:-0} $(BIN)/streamlit run app.py --server.port $(PORT)

test: setup-dev browser
	$(BIN)/ruff check .
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q $(PYTEST_PARALLEL) --durations=25

# Core, app and support tests: no Ray, no browser, no reliability scenarios (markers: tests/README.md).
test-fast: setup-dev
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q $(PYTEST_PARALLEL) --durations=10 -m "not ray and not browser and not reliability"

lint: setup-dev
	$(BIN)/ruff check .

clean-artifacts:
	find artifacts -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
