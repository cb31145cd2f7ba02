# Two entry points: `make run` (set up + main job) and `make test` (set up + tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# llama-cpp-python builds from source; skip the multimodal library (~3.5 min saved).
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install run test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency declaration changes; pip's wheel cache keeps the
# llama.cpp build from being repeated on this machine.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --progress-bar off -e '.[dev]'
	touch $@

install: $(STAMP)

run: install
	$(BIN)/copilot demo --if-missing
	$(BIN)/copilot index --no-progress
	$(BIN)/python app.py

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .copilot .pytest_cache .mypy_cache .ruff_cache
