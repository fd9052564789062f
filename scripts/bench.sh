#!/usr/bin/env bash
# `make bench` after the release build: DynamoDB Local and moto on their own ports, the cold starts, the gateway
# load and the flash sale, then docs/BENCHMARKS.md and docs/bench-latency.png.
#   BENCH_TARGET_DIR   where the release build is (default ~/.cache/ticketing-target-bench; the `profiling`
#                      profile: release code with symbols, for callgrind)
#   MOTO_PORT          moto for the benchmarks (default 4620); PORT the gateway (default 3200)
#   DYNAMODB_PORT      DynamoDB Local for the benchmarks (default 8120)
#   BENCH_COLD_STARTS  cold starts per function (default 20); other knobs: bench/src/bin/gateway-load
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
RELEASE="${BENCH_TARGET_DIR:-$HOME/.cache/ticketing-target-bench}/profiling"
MOTO_PORT="${MOTO_PORT:-4620}"
DYNAMODB_PORT="${DYNAMODB_PORT:-8120}"
RESULTS="$ROOT/.local/bench"
for program in cold-start gateway-load local-gateway create-order; do
  [ -x "$RELEASE/$program" ] || { echo "$RELEASE/$program is not built: run 'make bench'" >&2; exit 1; }
done
mkdir -p "$RESULTS"
cut -d' ' -f1-3 /proc/loadavg >"$RESULTS/loadavg-start.txt"
stop() {
  local pid
  for pid in ${MOTO_PID:-} ${DYNAMODB_PID:-}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT

started=$SECONDS
echo "==> DynamoDB Local on 127.0.0.1:$DYNAMODB_PORT (log: .local/bench/dynamodb.log)"
start_dynamodb "$DYNAMODB_PORT" "$RESULTS/dynamodb.log"
echo "==> moto on 127.0.0.1:$MOTO_PORT (log: .local/bench/moto.log)"
start_moto "$MOTO_PORT" "$RESULTS/moto.log"
use_local_aws "$MOTO_PORT" "$DYNAMODB_PORT"

echo "==> cold starts and peak memory of every function, ${BENCH_COLD_STARTS:-20} each (issue items 1, 2)"
"$RELEASE/cold-start" "$RELEASE" "${BENCH_COLD_STARTS:-20}" "$RESULTS/cold-start.json"

echo "==> latency through the local gateway and the flash sale (items 3, 4)"
PORT="${PORT:-3200}" "$RELEASE/gateway-load" "$RELEASE/local-gateway" "$RELEASE" "$RESULTS/gateway-load.json"

echo "==> sizes, the report and the plot (items 2, 5)"
"$ROOT/.venv/bin/python" "$ROOT/scripts/bench-report.py" "$RESULTS" "$RELEASE" "$ROOT/build/lambda" \
  "$ROOT/docs/BENCHMARKS.md" "$ROOT/docs/bench-latency.png"
echo "==> benchmarks took $((SECONDS - started)) s (the release build not counted)"
