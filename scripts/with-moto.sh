#!/usr/bin/env bash
# Runs a command with a fresh moto server: AWS_ENDPOINT_URL points at it; it stops afterwards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
port="$(free_port)"
mkdir -p "$ROOT/.local"
trap '[ -n "${MOTO_PID:-}" ] && kill "$MOTO_PID" 2>/dev/null; wait 2>/dev/null || true' EXIT
start_moto "$port" "$ROOT/.local/moto-test.log"
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
"$@"
