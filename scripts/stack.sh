#!/usr/bin/env bash
# Runs the whole product locally in the foreground: DynamoDB Local (tables and streams), moto
# (SQS, EventBridge, Scheduler), the Stripe stand-in and the local gateway (functions, routes
# from template.yaml, the web app). Ctrl-C stops everything it started.
#   PORT           where the app is served (default 3000)
#   MOTO_PORT      where moto listens (default 4566)
#   DYNAMODB_PORT  where DynamoDB Local listens (default 8000)
#   STRIPE_PORT  where the Stripe stand-in listens (default 12111)
#   PARAMETER_OVERRIDES  template parameters, as for `sam deploy --parameter-overrides`
#   ORDER_TTL_SECONDS    the payment window of an order (OrderTtlSeconds; default 900)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
PORT="${PORT:-3000}"
MOTO_PORT="${MOTO_PORT:-4566}"
DYNAMODB_PORT="${DYNAMODB_PORT:-8000}"
STRIPE_PORT="${STRIPE_PORT:-12111}"
GATEWAY="$CARGO_TARGET_DIR/debug/local-gateway"
STRIPE_STANDIN="$CARGO_TARGET_DIR/debug/stripe-standin"
SESSION_KEYS="$CARGO_TARGET_DIR/debug/session-keys"
[ -x "$GATEWAY" ] || { echo "the local gateway is not built: run 'make build-local' first" >&2; exit 1; }
[ -x "$SESSION_KEYS" ] || { echo "session-keys is not built: run 'make build-local' first" >&2; exit 1; }
[ -x "$STRIPE_STANDIN" ] || { echo "the Stripe stand-in is not built: run 'make build-local' first" >&2; exit 1; }
[ -f "$ROOT/web/dist/index.html" ] || { echo "the web app is not built: run 'make build-local' first" >&2; exit 1; }

mkdir -p "$ROOT/.local"
# Stops all four whatever each one's exit status (a `kill && wait` list would end the trap
# under `set -e` at the first non-zero status and leave the rest running).
cleanup() {
  trap - EXIT INT TERM
  local pid
  for pid in ${GATEWAY_PID:-} ${STRIPE_PID:-} ${MOTO_PID:-} ${DYNAMODB_PID:-}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${GATEWAY_PID:-} ${STRIPE_PID:-} ${MOTO_PID:-} ${DYNAMODB_PID:-}; do wait "$pid" 2>/dev/null || true; done
  echo "stack: stopped"
}
trap cleanup EXIT INT TERM

echo "stack: starting Amazon DynamoDB Local (tables, streams) on 127.0.0.1:$DYNAMODB_PORT"
start_dynamodb "$DYNAMODB_PORT" "$ROOT/.local/dynamodb-$DYNAMODB_PORT.log"
echo "stack: DynamoDB Local is ready (log: .local/dynamodb-$DYNAMODB_PORT.log)"
echo "stack: starting moto (SQS, EventBridge, Scheduler) on 127.0.0.1:$MOTO_PORT"
start_moto "$MOTO_PORT" "$ROOT/.local/moto-$MOTO_PORT.log"
echo "stack: moto is ready (log: .local/moto-$MOTO_PORT.log)"
use_local_aws "$MOTO_PORT" "$DYNAMODB_PORT"

# A session key pair of this run's own, as `make session-keys` makes one for a deploy (unless
# PARAMETER_OVERRIDES brings one). The gateway puts the private key into moto's Secrets Manager.
SESSION_PARAMETERS=""
if [[ "${PARAMETER_OVERRIDES:-}" != *SessionSigningKey=* ]]; then
  SESSION_PARAMETERS="$("$SESSION_KEYS" | tr '\n' ' ')"
fi

# Test-mode keys of the stand-in; nothing here is a real Stripe secret.
STRIPE_SECRET_KEY="sk_test_local"
STRIPE_PUBLISHABLE_KEY="pk_test_local"
STRIPE_BASE="http://127.0.0.1:$STRIPE_PORT/"
echo "stack: starting the Stripe stand-in on 127.0.0.1:$STRIPE_PORT"
"$STRIPE_STANDIN" --port "$STRIPE_PORT" --secret-key "$STRIPE_SECRET_KEY" \
  --publishable-key "$STRIPE_PUBLISHABLE_KEY" >"$ROOT/.local/stripe-$STRIPE_PORT.log" 2>&1 &
STRIPE_PID=$!
deadline=$((SECONDS + 30))
until curl -fs -o /dev/null "${STRIPE_BASE}v3/" 2>/dev/null; do
  kill -0 "$STRIPE_PID" 2>/dev/null || { echo "the Stripe stand-in did not start:" >&2; cat "$ROOT/.local/stripe-$STRIPE_PORT.log" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "the Stripe stand-in did not answer within 30 s" >&2; exit 1; }
  sleep 0.1
done
# Register the webhook endpoint, as one would in Stripe's dashboard; the stand-in answers with
# the endpoint's signing secret, which the webhook function verifies signatures with.
WEBHOOK_URL="http://127.0.0.1:$PORT/api/webhooks/stripe"
STRIPE_WEBHOOK_SECRET="$(curl -fsS "${STRIPE_BASE}v1/webhook_endpoints" \
  -u "$STRIPE_SECRET_KEY:" -d url="$WEBHOOK_URL" -d 'enabled_events[]=*' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')"
# And the Connect endpoint (events of sellers' connected accounts: account.updated), with its own secret.
CONNECT_WEBHOOK_URL="http://127.0.0.1:$PORT/api/webhooks/stripe-connect"
STRIPE_CONNECT_WEBHOOK_SECRET="$(curl -fsS "${STRIPE_BASE}v1/webhook_endpoints" \
  -u "$STRIPE_SECRET_KEY:" -d url="$CONNECT_WEBHOOK_URL" -d 'enabled_events[]=account.updated' -d connect=true \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')"
echo "stack: Stripe stand-in ready, sending webhooks to $WEBHOOK_URL and $CONNECT_WEBHOOK_URL (log: .local/stripe-$STRIPE_PORT.log)"
STRIPE_PARAMETERS="StripeSecretKey=$STRIPE_SECRET_KEY StripePublishableKey=$STRIPE_PUBLISHABLE_KEY"
STRIPE_PARAMETERS+=" StripeWebhookSecret=$STRIPE_WEBHOOK_SECRET StripeApiBase=$STRIPE_BASE StripeJsUrl=${STRIPE_BASE}v3/"
STRIPE_PARAMETERS+=" StripeConnectWebhookSecret=$STRIPE_CONNECT_WEBHOOK_SECRET"

echo "stack: starting the local gateway on port $PORT"
PORT="$PORT" \
TEMPLATE="$ROOT/template.yaml" \
WEB_DIST="$ROOT/web/dist" \
PARAMETER_OVERRIDES="${PARAMETER_OVERRIDES:-CookieSecure=false}${ORDER_TTL_SECONDS:+ OrderTtlSeconds=$ORDER_TTL_SECONDS} $SESSION_PARAMETERS$STRIPE_PARAMETERS" \
  "$GATEWAY" &
GATEWAY_PID=$!
wait "$GATEWAY_PID"
