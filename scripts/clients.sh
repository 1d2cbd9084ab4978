#!/usr/bin/env bash
# Real clients from PyPI against a live server: OpenAI's Python SDK (every format, streamed
# and whole, and Server-Sent Events: scripts/openai-sdk-check.py) and Home Assistant's
# wyoming library over --wyoming-port (describe, a whole text, a stream split mid-word, an
# unknown voice: scripts/wyoming-check.py); the live WebSocket with `websockets` (text fed a
# word at a time, a bad message, a client that leaves: scripts/live-check.py); then SIGTERM
# must drain to exit 0.
#
#   scripts/clients.sh        (scripts/test.sh runs it; the debug build, or KOKORO_BIN)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cache="${KOKORO_CACHE:-$HOME/.cache/kokoro-swift}"
venv="$cache/clients-venv"
source scripts/lib/server.sh
python_venv "$venv" "openai==3.63.0" "wyoming==1.10.2" "websockets==15.0.1"
wyoming_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
start_server --wyoming-port "$wyoming_port"
trap 'kill "$server" 2>/dev/null || true' EXIT
status=0
"$venv/bin/python" scripts/openai-sdk-check.py "$base/v1" || { echo "clients.sh: the OpenAI SDK check failed (above)" >&2; status=1; }
"$venv/bin/python" scripts/live-check.py "$base" || { echo "clients.sh: the live WebSocket check failed (above)" >&2; status=1; }
# The chunk delay leaves a loaded machine time to speak sentence one before the stop (behaviour, not speed).
"$venv/bin/python" scripts/wyoming-check.py 127.0.0.1 "$wyoming_port" --chunk-delay 8 || { echo "clients.sh: the Wyoming check failed (above)" >&2; status=1; }
stop_server
trap - EXIT
[ "$stop_status" = 0 ] || { echo "clients.sh: the server exited $stop_status on SIGTERM, not 0; its log:" >&2; tail -20 "$server_log" >&2; status=1; }
rm -f "$server_log"
exit $status
