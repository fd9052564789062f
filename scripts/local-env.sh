# Sourced by the other scripts: the environment every local process shares.
# Only endpoints and credentials differ from AWS; the function code is the same.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ticketing-target}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_EC2_METADATA_DISABLED=true
# moto_server with atomic DynamoDB writes (see the script), run by the venv's Python.
MOTO_SERVER="$ROOT/scripts/moto-server"
MOTO_PYTHON="$ROOT/.venv/bin/python"

# start_moto PORT LOGFILE: starts moto in the background, waits until it answers, sets MOTO_PID.
start_moto() {
  local port="$1" log="$2"
  [ -x "$MOTO_PYTHON" ] || { echo "moto is not installed: run 'make deps' first" >&2; return 1; }
  "$MOTO_PYTHON" "$MOTO_SERVER" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  MOTO_PID=$!
  local deadline=$((SECONDS + 30))
  until curl -fs -o /dev/null "http://127.0.0.1:$port/moto-api/" 2>/dev/null; do
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then
      echo "moto did not start on port $port:" >&2; cat "$log" >&2; return 1
    fi
    [ "$SECONDS" -lt "$deadline" ] || { echo "moto did not answer on port $port within 30 s" >&2; return 1; }
    sleep 0.1
  done
}

# free_port: a TCP port nobody listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
