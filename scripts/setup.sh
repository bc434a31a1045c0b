#!/usr/bin/env bash
# One-command set-up for svgkit development (what `make setup` runs).
#
#   1. Debian packages pycairo needs to build and text needs to render (libcairo2-dev, pkg-config,
#      fonts-dejavu-core, fontconfig), and for dev set-ups (EXTRAS naming dev or all) chromium, the
#      headless browser the HTML report's tests load it in: installed with apt-get only when missing.
#   2. A virtual environment in .venv (created when missing).
#   3. svgkit installed editable with extras, versions held by .ci/constraints.txt.
#
# Settings (environment):
#   EXTRAS=dev        extras to install: dev (default), all, or a list such as dev,clip
#   VENV=.venv        where the virtual environment lives
#   PYTHON=python3    interpreter used to create it (3.10 or newer)
#
# Idempotent: a stamp in the venv records the extras installed; pip runs again only when
# pyproject.toml or .ci/constraints.txt is newer than the stamp or the extras changed. A second run
# takes about a second and prints nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

extras="${EXTRAS:-dev}"
venv="${VENV:-.venv}"
python="${PYTHON:-python3}"
constraints=.ci/constraints.txt
stamp="$venv/.svgkit-setup-stamp"

say() { printf 'setup: %s\n' "$*" >&2; }

# --- 1. system packages ---------------------------------------------------------------------------
apt_packages=(libcairo2-dev pkg-config fonts-dejavu-core fontconfig)
# The HTML report is tested in a real headless browser; plain user installs stay light.
if [[ ",$extras," =~ ,(dev|all), ]]; then
  apt_packages+=(chromium)
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${apt_packages[@]}"; do
    installed "$pkg" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
      command -v sudo >/dev/null 2>&1 || { say "need root or sudo to install: ${missing[*]}"; exit 1; }
      sudo=(sudo)
    fi
    say "installing Debian packages: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
elif ! pkg-config --exists cairo 2>/dev/null; then
  say "not a Debian system: install cairo's development files and pkg-config yourself"
  say "(pycairo is built from source and needs them)"
fi

# --- 2. virtual environment -----------------------------------------------------------------------
if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
    say "$python is $("$python" -V 2>&1); svgkit needs Python 3.10 or newer (set PYTHON=...)"
    exit 1
  }
  say "creating $venv with $("$python" -V 2>&1)"
  "$python" -m venv "$venv"
  rm -f "$stamp"
fi

# --- 3. editable install ------------------------------------------------------------------------
if [[ -f "$stamp" && "$stamp" -nt pyproject.toml && "$stamp" -nt "$constraints" \
      && "$(cat "$stamp")" == "$extras" ]]; then
  exit 0
fi

say "installing svgkit[$extras] into $venv (pinned by $constraints)"
# The local package mirror warns once for every package it does not carry; that is noise, not news.
set +e
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -c "$constraints" -e ".[$extras]" 2>&1 \
  | grep -v -E "^WARNING: Location 'file:[^']*' is ignored: it is neither a file nor a directory"
status=${PIPESTATUS[0]}
set -e
if ((status != 0)); then
  say "pip install failed (exit $status)"
  exit "$status"
fi
printf '%s\n' "$extras" >"$stamp"
say "done"
