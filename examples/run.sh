#!/usr/bin/env bash
# Runs the integrators' example suites (make examples, part of make test), installing what
# they need when missing: pytest from PyPI; php-cli, php-curl, php-xml and phpunit from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --quiet
export MORBOX_BIN="$PWD/target/debug/morbox"
python3 -c "import pytest" 2>/dev/null || python3 -m pip install -q pytest
python3 -m pytest -q -p no:cacheprovider examples/pytest
if ! command -v phpunit >/dev/null || ! php -m 2>/dev/null | grep -qi '^curl$'; then
  echo "installing php-cli, php-curl, php-xml and phpunit (Debian packages)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli php-curl php-xml phpunit) >/dev/null
fi
phpunit --do-not-cache-result examples/phpunit/ExampleTest.php
