#!/usr/bin/env bash
# The contract under fire: schemathesis generates requests from docs/openapi.yaml, valid and
# invalid, and sends them to a whole local stack (DynamoDB Local, moto, the Stripe stand-in, the gateway and the
# real functions) started here on its own ports. It fails on any 5xx and on any response the
# contract does not describe (status, content type or body schema).
#   SCHEMATHESIS_PORT / _MOTO_PORT / _DYNAMODB_PORT / _STRIPE_PORT  the stack's ports (3300, 4630, 8130, 12170)
#   SCHEMATHESIS_EXAMPLES  test cases per operation in each generating phase (default 25)
#   SCHEMATHESIS_SEED      the random seed (default 20261126), so a failure can be replayed
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
export PORT="${SCHEMATHESIS_PORT:-3300}"
export MOTO_PORT="${SCHEMATHESIS_MOTO_PORT:-4630}"
export DYNAMODB_PORT="${SCHEMATHESIS_DYNAMODB_PORT:-8130}"
export STRIPE_PORT="${SCHEMATHESIS_STRIPE_PORT:-12170}"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-25}"
SEED="${SCHEMATHESIS_SEED:-20261126}"
BASE="http://127.0.0.1:$PORT"
ST="$ROOT/.venv/bin/st"
[ -x "$ST" ] || { echo "schemathesis is not installed: run 'make deps-python' first" >&2; exit 1; }

mkdir -p "$ROOT/.local/schemathesis"
STACK_LOG="$ROOT/.local/schemathesis/stack.log"
"$ROOT/scripts/stack.sh" >"$STACK_LOG" 2>&1 &
STACK_PID=$!
stop_stack() {
  kill "$STACK_PID" 2>/dev/null || true
  wait "$STACK_PID" 2>/dev/null || true
}
trap stop_stack EXIT INT TERM

deadline=$((SECONDS + 120))
until curl -fs -o /dev/null "$BASE/api/users/currentuser"; do
  kill -0 "$STACK_PID" 2>/dev/null || { echo "the stack did not start:" >&2; cat "$STACK_LOG" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "the stack did not answer within 120 s:" >&2; tail -50 "$STACK_LOG" >&2; exit 1; }
  sleep 0.2
done

# Signed-in routes need a session: one user's cookie goes with every request.
email="schemathesis-$(date +%s)-$$@example.com"
cookie="$(curl -fsS -o /dev/null -D - -H 'content-type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"contract-test-1\"}" "$BASE/api/users/signup" \
  | sed -n 's/^[Ss]et-[Cc]ookie: \(session=[^;]*\).*/\1/p' | head -1)"
[ -n "$cookie" ] || { echo "could not sign up $email" >&2; exit 1; }

echo "schemathesis: $EXAMPLES examples per operation, seed $SEED, against $BASE"
status=0
# Run from .local so hypothesis and the report stay out of the work tree.
(cd "$ROOT/.local/schemathesis" && "$ST" run "$ROOT/docs/openapi.yaml" \
  --url "$BASE" \
  --header "Cookie: $cookie" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$EXAMPLES" \
  --seed "$SEED" \
  --generation-database none \
  --generation-with-security-parameters false \
  --workers 2 \
  --request-timeout 30 \
  --no-color) || status=$?
if [ "$status" -ne 0 ]; then
  echo "schemathesis failed; the stack's log (functions included): $STACK_LOG" >&2
fi
exit "$status"
