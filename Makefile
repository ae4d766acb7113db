# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make run    create .venv, install, start the main job (a terminal interview without keys)
#   make test   create/update .venv with the dev extra, run the whole suite
#   make smoke  one real two-question interview against the Gemini API (needs GEMINI_API_KEY;
#               skips without it; never part of `make test`, `make bench` or CI)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
INSTALLED_DEV := $(VENV)/.installed-dev

.PHONY: run test bench smoke clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(INSTALLED_DEV): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(INSTALLED)

run: $(INSTALLED)
	$(PY) -m bot $(ARGS)

test: $(INSTALLED_DEV)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(INSTALLED_DEV)
	$(PY) -m bench

smoke: $(INSTALLED)
	$(PY) -m bench.smoke_gemini $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache tests/output
