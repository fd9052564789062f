#!/usr/bin/env bash
# Runs the whole product locally in the foreground: moto (AWS) and the local gateway
# (functions, routes from template.yaml, the web app). Ctrl-C stops everything it started.
#   PORT       where the app is served (default 3000)
#   MOTO_PORT  where moto listens (default 4566)
#   PARAMETER_OVERRIDES  template parameters, as for `sam deploy --parameter-overrides`
#   ORDER_TTL_SECONDS    the payment window of an order (OrderTtlSeconds; default 900)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
PORT="${PORT:-3000}"
MOTO_PORT="${MOTO_PORT:-4566}"
GATEWAY="$CARGO_TARGET_DIR/debug/local-gateway"
[ -x "$GATEWAY" ] || { echo "the local gateway is not built: run 'make build' first" >&2; exit 1; }
[ -f "$ROOT/web/dist/index.html" ] || { echo "the web app is not built: run 'make build' first" >&2; exit 1; }

mkdir -p "$ROOT/.local"
cleanup() {
  trap - EXIT INT TERM
  [ -n "${GATEWAY_PID:-}" ] && kill "$GATEWAY_PID" 2>/dev/null && wait "$GATEWAY_PID" 2>/dev/null
  [ -n "${MOTO_PID:-}" ] && kill "$MOTO_PID" 2>/dev/null && wait "$MOTO_PID" 2>/dev/null
  echo "stack: stopped"
}
trap cleanup EXIT INT TERM

echo "stack: starting moto (DynamoDB, SQS, EventBridge, Scheduler) on 127.0.0.1:$MOTO_PORT"
start_moto "$MOTO_PORT" "$ROOT/.local/moto-$MOTO_PORT.log"
echo "stack: moto is ready (log: .local/moto-$MOTO_PORT.log)"

echo "stack: starting the local gateway on port $PORT"
AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT" \
PORT="$PORT" \
TEMPLATE="$ROOT/template.yaml" \
WEB_DIST="$ROOT/web/dist" \
PARAMETER_OVERRIDES="${PARAMETER_OVERRIDES:-JwtSecret=local-development-secret-not-for-production CookieSecure=false}${ORDER_TTL_SECONDS:+ OrderTtlSeconds=$ORDER_TTL_SECONDS}" \
  "$GATEWAY" &
GATEWAY_PID=$!
wait "$GATEWAY_PID"
