# Sourced by the other scripts: the environment every local process shares.
# Only endpoints and credentials differ from AWS; the function code is the same.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ticketing-target}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_EC2_METADATA_DISABLED=true

# wait_for_http NAME PID URL LOG: waits until URL answers at all (any status), or fails with the log.
wait_for_http() {
  local name="$1" pid="$2" url="$3" log="$4"
  local deadline=$((SECONDS + 60))
  until curl -s -o /dev/null "$url" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name did not start:" >&2; cat "$log" >&2; return 1
    fi
    [ "$SECONDS" -lt "$deadline" ] || { echo "$name did not answer at $url within 60 s" >&2; return 1; }
    sleep 0.1
  done
}

# start_moto PORT LOGFILE: starts moto (SQS, EventBridge, Scheduler) in the background, waits
# until it answers, sets MOTO_PID.
start_moto() {
  local port="$1" log="$2"
  "$ROOT/scripts/moto" "$port" >"$log" 2>&1 &
  MOTO_PID=$!
  wait_for_http moto "$MOTO_PID" "http://127.0.0.1:$port/moto-api/" "$log"
}

# start_dynamodb PORT LOGFILE: starts Amazon DynamoDB Local (tables and streams) in the
# background, waits until it answers, sets DYNAMODB_PID.
start_dynamodb() {
  local port="$1" log="$2"
  "$ROOT/scripts/dynamodb-local" "$port" >"$log" 2>&1 &
  DYNAMODB_PID=$!
  wait_for_http "DynamoDB Local" "$DYNAMODB_PID" "http://127.0.0.1:$port/" "$log"
}

# use_local_aws MOTO_PORT DYNAMODB_PORT: points the AWS SDK of this shell's children at them:
# DynamoDB and its streams at DynamoDB Local, every other service at moto.
use_local_aws() {
  export AWS_ENDPOINT_URL="http://127.0.0.1:$1"
  export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$2"
  export AWS_ENDPOINT_URL_DYNAMODB_STREAMS="http://127.0.0.1:$2"
}

# free_port: a TCP port nobody listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
