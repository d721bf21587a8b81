#!/usr/bin/env bash
# Runs the integrators' example suites (make examples, part of make test), installing what
# they need when missing: pytest and openapi-spec-validator from PyPI into a virtual
# environment of its own (target/venv; never into the system's Python; Debian's python3-venv
# is installed when venv is missing); php-cli, php-curl, php-xml and phpunit from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --quiet
export MORBOX_BIN="$PWD/target/debug/morbox"
VENV=target/venv
if ! "$VENV/bin/python" -c "import pytest, openapi_spec_validator" 2>/dev/null; then
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    echo "installing python3-venv (Debian package)" >&2
    rm -rf "$VENV"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv) >/dev/null
    python3 -m venv "$VENV"
  fi
  echo "installing pytest and openapi-spec-validator into $VENV (PyPI)" >&2
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check pytest openapi-spec-validator
fi
"$VENV/bin/python" -m pytest -q -p no:cacheprovider examples/pytest
if ! command -v phpunit >/dev/null || ! php -m 2>/dev/null | grep -qi '^curl$'; then
  echo "installing php-cli, php-curl, php-xml and phpunit (Debian packages)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli php-curl php-xml phpunit) >/dev/null
fi
phpunit --do-not-cache-result examples/phpunit/ExampleTest.php
