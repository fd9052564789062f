#!/usr/bin/env bash
# Runs a command against a fresh local AWS: moto (SQS, EventBridge, Scheduler) and DynamoDB
# Local (DynamoDB and its streams), each on a free port, named by AWS_ENDPOINT_URL and
# AWS_ENDPOINT_URL_DYNAMODB(_STREAMS); both stop afterwards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/local-env.sh"
mkdir -p "$ROOT/.local"
stop() {
  local pid
  for pid in ${MOTO_PID:-} ${DYNAMODB_PID:-}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT
moto_port="$(free_port)"
start_moto "$moto_port" "$ROOT/.local/moto-test.log"
dynamodb_port="$(free_port)"
start_dynamodb "$dynamodb_port" "$ROOT/.local/dynamodb-test.log"
use_local_aws "$moto_port" "$dynamodb_port"
"$@"
