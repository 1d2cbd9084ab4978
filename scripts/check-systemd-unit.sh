#!/usr/bin/env bash
# Checks deploy/kokoro.service without booting systemd (our machines run none as PID 1):
#   1. `systemd-analyze verify` of the unit (its ExecStart pointed at the binary under test);
#   2. `systemd-analyze security --offline=true`: the exposure score, at most 3.0 ("OK");
#   3. the server run as the unit confines it, as far as that can be done by hand: in a mount
#      namespace with the whole file system read-only but a state directory (ProtectSystem=
#      strict + StateDirectory=), a private /tmp (PrivateTmp=), as an unprivileged user with
#      no new privileges (User=, NoNewPrivileges=), the unit's environment only: it must get
#      ready, answer a request, write its loudness measurement into the state directory and
#      exit 0 on SIGTERM. The rest of the unit's sandbox (capabilities, namespaces, devices)
#      only systemd applies.
#
#   sudo scripts/check-systemd-unit.sh [KOKORO-BINARY]   (default .build/release/kokoro)
#   KOKORO_CACHE=/path ...     the set-up cache the state directory is filled from
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cache="${KOKORO_CACHE:-$HOME/.cache/kokoro-swift}"
unit="$repo/deploy/kokoro.service"
bin="$(realpath "${1:-$repo/.build/release/kokoro}")"
uid=10001

log() { printf 'check-systemd-unit: %s\n' "$*" >&2; }
die() { printf 'check-systemd-unit: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root: the confinement needs mount namespaces and another user (sudo $0)"
command -v systemd-analyze >/dev/null || die "systemd-analyze is missing: apt-get install systemd"
[ -x "$bin" ] || die "no kokoro binary at $bin: swift build -c release (or give its path)"

# Outside /tmp (the confinement gets a /tmp of its own) and reachable by the unit's user.
work="$(mktemp -d /var/lib/kokoro-unit-check.XXXXXX)"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server"; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. verify, with ExecStart at the binary under test.
sed "s|^ExecStart=/usr/local/bin/kokoro|ExecStart=$bin|" "$unit" >"$work/kokoro.service"
verify="$(cd "$work" && systemd-analyze verify --man=no ./kokoro.service 2>&1)" || { echo "$verify" >&2; die "systemd-analyze verify failed"; }
[ -z "$verify" ] || { echo "$verify" >&2; die "systemd-analyze verify warned (above)"; }
log "systemd-analyze verify: clean"

# 2. security exposure.
exposure="$(cd "$work" && systemd-analyze security --offline=true ./kokoro.service 2>&1 | sed -n 's/.*Overall exposure level for kokoro.service: \([0-9.]*\).*/\1/p')"
[ -n "$exposure" ] || die "systemd-analyze security gave no exposure level"
python3 -c "import sys; sys.exit(0 if float('$exposure') <= 3.0 else 1)" || die "exposure $exposure is over 3.0"
log "systemd-analyze security --offline: exposure $exposure"

# 3. The unit's confinement by hand. The binary and the state directory, installed as the
# unit's header says.
install -D -m 0755 "$bin" "$work/bin/kokoro"
state="$work/state"
mkdir -p "$state"
"$repo/deploy/copy-assets.sh" "$cache" "$state"
chown -R "$uid:$uid" "$state"
chmod 0750 "$state"
chmod 0755 "$work"
# The unit's environment (its Environment= lines), on a free loopback port.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mapfile -t unit_env < <(sed -n 's/^Environment=//p' "$unit" | sed "s|/var/lib/kokoro|$state|g")
# ProtectSystem=strict: everything read-only, then the state directory bound writable over it;
# PrivateTmp=: a tmpfs of its own.
confine='set -e
mount --make-rprivate /
mount --bind "$STATE" "$STATE"
mount -o remount,bind,ro /
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
exec setpriv --reuid='$uid' --regid='$uid' --clear-groups --no-new-privs env -i PATH=/usr/bin:/bin "$@"'
STATE="$state" unshare --mount sh -c "$confine" sh "${unit_env[@]}" "$work/bin/kokoro" serve --port "$port" --log-level warning \
  >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; die "the server exited while starting under the unit's confinement (log above)"; }
  sleep 0.5
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" || { cat "$work/server.log" >&2; die "not ready after 300 s (log above)"; }
log "ready, confined: read-only system, writable $state only, private /tmp, uid $uid, no new privileges"
code="$(curl -sS -o "$work/out.wav" -w '%{http_code}' "http://127.0.0.1:$port/v1/audio/speech" -H 'Content-Type: application/json' \
  -d '{"input":"Running under systemd.","voice":"af_heart","response_format":"wav","stream":false}')"
[ "$code" = 200 ] && [ "$(stat -c %s "$work/out.wav")" -gt 10000 ] || die "the request answered $code with $(stat -c %s "$work/out.wav") bytes"
log "request: 200, $(stat -c %s "$work/out.wav") bytes of WAV"
[ -f "$state/loudness.json" ] || die "the server did not write loudness.json into its state directory"
log "state directory written: loudness.json"
kill -TERM "$server"
set +e; wait "$server"; code=$?; set -e
server=""
[ "$code" = 0 ] || { tail -n 20 "$work/server.log" >&2; die "exit code $code after SIGTERM, not 0"; }
log "SIGTERM: exited 0"
log "PASSED"
