#!/usr/bin/env bash
# make image: builds the container image with podman (installed from Debian when missing) and
# checks its entrypoint, volume and health check with `podman image inspect`. Containers are
# not run here.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v podman >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman >/dev/null; }
make --no-print-directory static
# The Docker format keeps HEALTHCHECK (the OCI format drops it).
podman build --format docker -t morbox:latest -f Containerfile .
inspect() { podman image inspect morbox:latest --format "$1"; }
[ "$(inspect '{{json .Config.Entrypoint}}')" = '["/morbox"]' ] || { echo "image: wrong entrypoint"; exit 1; }
inspect '{{json .Config.Volumes}}' | grep -q '"/data"' || { echo "image: no /data volume"; exit 1; }
inspect '{{json .Config.Healthcheck}}' | grep -q 'health' || { echo "image: no health check"; exit 1; }
echo "image morbox:latest: entrypoint, volume and health check as expected"
