#!/usr/bin/env bash
# External recommendation anchors for benchmarks only (not project dependencies):
# implicit (wheel) and LightFM (its 1.17 sdist fails to build with current setuptools,
# upstream lyst/lightfm#687; we patch the one offending line of setup.py and build it).
set -uo pipefail
cd "$(dirname "$0")/.."
PIP=.venv/bin/pip
$PIP install --quiet "implicit==0.7.3" || $PIP install --quiet implicit || echo "implicit: install failed"
if ! .venv/bin/python -c "import lightfm" 2>/dev/null; then
  if ! $PIP install --quiet lightfm 2>/tmp/lightfm-install.log; then
    echo "lightfm: plain install failed ($(grep -m1 -o "AttributeError.*" /tmp/lightfm-install.log))"
    work=$(mktemp -d)
    # pip download would run the broken setup.py; fetch the sdist from the index directly.
    .venv/bin/python - "$work" <<'PY' &&
import re, sys, urllib.request
html = urllib.request.urlopen("https://pypi.org/simple/lightfm/", timeout=60).read().decode()
url = re.search(r'href="([^"]+/lightfm-1\.17\.tar\.gz)[^"]*"', html).group(1)
urllib.request.urlretrieve(url, sys.argv[1] + "/lightfm-1.17.tar.gz")
PY
      tar -xzf "$work"/lightfm-1.17.tar.gz -C "$work" &&
      sed -i 's/__builtins__.__LIGHTFM_SETUP__ = True/import builtins; builtins.__LIGHTFM_SETUP__ = True/' \
        "$work"/lightfm-1.17/setup.py &&
      $PIP install --quiet setuptools wheel &&
      $PIP install --quiet --no-build-isolation "$work"/lightfm-1.17 ||
      echo "lightfm: patched build failed too"
  fi
fi
.venv/bin/python -c "import implicit; print('implicit', implicit.__version__)" || true
.venv/bin/python -c "import lightfm; print('lightfm', lightfm.__version__)" || true
