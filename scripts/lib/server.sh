# Shared by scripts that drive a live server (fuzz.sh, clients.sh): source it, then
#   start_server [kokoro serve arguments...]   sets $server (pid), $port, $base, $server_log
#   server_rss                                 resident MB of the server
#   stop_server                                SIGTERM; sets $stop_status (the exit code; 0 = drained)
#   python_venv DIR PACKAGE==VERSION...        a venv in the cache with exactly these pinned
# The binary is the debug build from `swift build`, or KOKORO_BIN.

python_venv() {
  local venv="$1"; shift
  local stamp="$venv/.installed"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$*" ]; then
    echo "installing $* into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" \
      || { echo "could not install $* from PyPI (is pip's index reachable?)" >&2; return 1; }
    echo "$*" >"$stamp"
  fi
}

start_server() {
  local bin="${KOKORO_BIN:-$(swift build --show-bin-path)/kokoro}"
  [ -x "$bin" ] || { echo "no kokoro binary at $bin: run swift build first (or set KOKORO_BIN)" >&2; return 1; }
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  server_log="$(mktemp -t kokoro-server.XXXXXX)"
  "$bin" serve --port "$port" --log-level warning "$@" >"$server_log" 2>&1 &
  server=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 600); do
    curl -sf "$base/ready" >/dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || { echo "the server exited while starting:" >&2; cat "$server_log" >&2; return 1; }
    sleep 0.5
  done
  echo "the server was not ready after 300 s:" >&2
  cat "$server_log" >&2
  return 1
}

server_rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$server/status" 2>/dev/null || echo 0; }

stop_server() {
  stop_status=1
  kill -0 "$server" 2>/dev/null || return 0
  kill -TERM "$server"
  set +e; wait "$server"; stop_status=$?; set -e
}
