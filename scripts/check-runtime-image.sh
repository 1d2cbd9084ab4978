#!/usr/bin/env bash
# Proves deploy/Dockerfile's runtime stage without a Docker engine: builds the same root
# (a minimal Debian bookworm from debootstrap, as debian:bookworm-slim is, then
# deploy/install-runtime.sh with deploy/runtime-packages.txt, as the Dockerfile runs them),
# copies in the kokoro binary built as the Dockerfile builds it (--static-swift-stdlib) and
# the assets deploy/copy-assets.sh takes from the set-up cache, then, inside the root with
# chroot as the image's user (uid 10001) and with the image's environment only:
#   1. every shared library of the binary and of ONNX Runtime resolves (ldd);
#   2. `kokoro doctor` passes (ONNX Runtime, model, voices, espeak-ng, dictionaries, a synthesis);
#   3. `kokoro serve` becomes ready, checked with the image's HEALTHCHECK command (curl /ready);
#   4. /status says it decodes in windows with af_heart's statistics (every split graph there);
#   5. an English request comes back as a WAV with speech in it, a Spanish one (espeak-ng) as MP3;
#   6. SIGTERM drains it and it exits 0.
#
#   scripts/check-runtime-image.sh                  (as root: debootstrap and chroot need it)
#   scripts/check-runtime-image.sh --drop PACKAGE   the same root without PACKAGE of the list: must fail
#   scripts/check-runtime-image.sh --clean          remove the kept roots (and build afresh)
#   KOKORO_DROP_PACKAGE=PACKAGE ...                 the same as --drop
#   KOKORO_BIN=/path/to/kokoro ...                  use this binary (built with --static-swift-stdlib)
#                                                   instead of building one in the cache
#   KOKORO_DEBIAN_MIRROR=http://... ...             Debian mirror (default: the host's apt source, else
#                                                   http://deb.debian.org/debian)
#   KOKORO_CACHE=/path ...                          the set-up cache to take assets from, and where the
#                                                   roots are kept (default ~/.cache/kokoro-swift)
#
# Idempotent and fast on reruns: the debootstrap base and each installed root (one per
# package list, script and left-out package) are kept under $KOKORO_CACHE/runtime-image and
# reused; an interrupted build is started afresh. Exit 0 only when every step passed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cache="${KOKORO_CACHE:-$HOME/.cache/kokoro-swift}"
work="$cache/runtime-image"
list="$repo/deploy/runtime-packages.txt"
installer="$repo/deploy/install-runtime.sh"
drop="${KOKORO_DROP_PACKAGE:-}"
suite=bookworm
uid=10001
clean=0

log() { printf 'check-runtime-image: %s\n' "$*" >&2; }
die() { printf 'check-runtime-image: FAILED: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --drop) [ $# -ge 2 ] || die "--drop needs a package name from $list"; drop="$2"; shift 2 ;;
    --clean) clean=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

[ "$(id -u)" = 0 ] || die "run as root: debootstrap and chroot need it (sudo $0)"
command -v debootstrap >/dev/null || die "debootstrap is not installed: apt-get install debootstrap"
command -v unshare >/dev/null && command -v chroot >/dev/null || die "unshare and chroot are missing: apt-get install util-linux coreutils"
command -v curl >/dev/null || die "curl is not installed: apt-get install curl"
command -v python3 >/dev/null || die "python3 is not installed (it reads the WAV): apt-get install python3"
if [ -n "$drop" ] && ! sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -qxF "$drop"; then
  die "--drop $drop: not a package of $list"
fi

# The host's Debian mirror, as apt is configured here; the image uses Debian's own.
host_mirror() {
  local uri
  uri="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1 || true)"
  [ -n "$uri" ] || uri="$(grep -hs '^deb ' /etc/apt/sources.list | awk '$3 ~ /^bookworm$/ {print $2}' | head -n1 || true)"
  echo "${uri:-http://deb.debian.org/debian}"
}
mirror="${KOKORO_DEBIAN_MIRROR:-$(host_mirror)}"

# in_root ROOT COMMAND...: COMMAND in ROOT with /proc mounted, in a mount namespace of its own
# (the mount goes away with it).
# /proc is mounted afresh if the kernel lets us, else bound from the host's.
enter='mount -t proc proc "$0/proc" 2>/dev/null || mount --rbind /proc "$0/proc" || exit 1; exec chroot "$0" "$@"'
in_root() {
  local root="$1"; shift
  unshare --mount --propagation private sh -c "$enter" "$root" "$@"
}

# 1. The minimal base, as debian:bookworm-slim is built (debuerreotype: minbase).
base="$work/base-$suite-minbase"
if [ "$clean" = 1 ] && [ -d "$work" ]; then
  log "removing $work"
  rm -rf "$work"
fi
mkdir -p "$work"
if [ ! -f "$base/.complete" ]; then
  rm -rf "$base" "$base.tmp"
  log "debootstrap --variant=minbase $suite from $mirror (once; kept in $base)"
  debootstrap --variant=minbase "$suite" "$base.tmp" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed (log: $work/debootstrap.log); is $mirror reachable? Set KOKORO_DEBIAN_MIRROR to another mirror"; }
  # The image's apt sources: the release, its updates and security, as debian:bookworm-slim has them.
  rm -f "$base.tmp/etc/apt/sources.list"
  cat >"$base.tmp/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${KOKORO_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  touch "$base.tmp/.complete"
  mv "$base.tmp" "$base"
fi

# 2. The runtime root: the base plus deploy/install-runtime.sh, one per (list, script, drop).
key="$( { cat "$list" "$installer"; echo "drop=$drop"; cat "$base/.complete"; stat -c %Y "$base/.complete"; } | sha256sum | cut -c1-16)"
root="$work/root-$key"
if [ ! -f "$root/.complete" ]; then
  rm -rf "$root" "$root.tmp"
  log "installing the runtime packages into a copy of the base ($root)${drop:+, leaving out $drop}"
  cp -a --reflink=auto "$base" "$root.tmp"
  rm -f "$root.tmp/.complete"
  cp -L /etc/resolv.conf "$root.tmp/etc/resolv.conf"
  mkdir -p "$root.tmp/tmp/runtime"
  cp "$list" "$installer" "$root.tmp/tmp/runtime/"
  in_root "$root.tmp" sh /tmp/runtime/install-runtime.sh /tmp/runtime/runtime-packages.txt "$drop" \
    || die "deploy/install-runtime.sh failed in $root.tmp (its error is above)"
  rm -rf "$root.tmp/tmp/runtime"
  echo "$drop" >"$root.tmp/.complete"
  mv "$root.tmp" "$root"
fi
if [ -n "$drop" ] && in_root "$root" dpkg-query -W -f='${Status}' "$drop" 2>/dev/null | grep -q "install ok installed"; then
  needers="$(in_root "$root" dpkg-query -W -f='${Package} ${Pre-Depends} ${Depends}\n' \
    | awk -v p="$drop" '{ for (i = 2; i <= NF; i++) { d = $i; gsub(/[,|]/, "", d); if (d == p) { printf "%s ", $1; break } } }')"
  log "note: $drop is installed all the same, as a dependency of: ${needers:-(none found)}; leaving its line out changes nothing"
fi
log "root: $root ($(du -sh --exclude=opt "$root" 2>/dev/null | cut -f1) without the assets)"

# 3. The binary, built as the Dockerfile builds it, unless given.
if [ -n "${KOKORO_BIN:-}" ]; then
  bin="$KOKORO_BIN"
  [ -x "$bin" ] || die "KOKORO_BIN=$bin is not an executable"
else
  command -v swift >/dev/null || die "no Swift toolchain to build kokoro: install one, or set KOKORO_BIN to a kokoro built with --static-swift-stdlib"
  log "building kokoro with --static-swift-stdlib (scratch path $work/swift-build)"
  swift build --package-path "$repo" --scratch-path "$work/swift-build" -c release --static-swift-stdlib --product kokoro >&2 \
    || die "swift build failed (its error is above)"
  bin="$(swift build --package-path "$repo" --scratch-path "$work/swift-build" -c release --static-swift-stdlib --show-bin-path)/kokoro"
fi
cmp -s "$bin" "$root/usr/local/bin/kokoro" || install -D -m 0755 "$bin" "$root/usr/local/bin/kokoro"

# 4. The assets, as the image has them, owned by the image's user.
"$repo/deploy/copy-assets.sh" "$cache" "$root/opt/kokoro/cache"
chown -R "$uid:$uid" "$root/opt/kokoro/cache"

# 5. Every shared library resolves. ldd runs inside the root, so it sees only its libraries.
for file in /usr/local/bin/kokoro /opt/kokoro/cache/onnxruntime/libonnxruntime.so.1.32.0; do
  resolved="$(in_root "$root" ldd "$file" 2>&1 || true)"
  missing="$(echo "$resolved" | awk '/not found/ {print $1}' | sort -u | tr '\n' ' ')"
  if [ -n "$missing" ]; then
    hint=""
    for lib in $missing; do
      pkg="$(dpkg -S "*/$lib" 2>/dev/null | head -n1 | cut -d: -f1 || true)"
      hint="$hint $lib${pkg:+ (Debian package $pkg)}"
    done
    case "$missing" in
      *libswift*|*libFoundation*|*libdispatch*) die "$file needs the Swift runtime ($missing): build it with swift build --static-swift-stdlib" ;;
    esac
    die "$file needs libraries the runtime root lacks:$hint; add the package to $list"
  fi
done
log "ldd: every library of kokoro and libonnxruntime resolves in the root"

# Commands as the image runs them: its user, its environment only.
# as_image is a command prefix, not a function, so that `"${as_image[@]}" kokoro serve &`
# leaves the server's own pid in $! (unshare, sh and chroot each exec the next).
as_image=(unshare --mount --propagation private sh -c "${enter/exec chroot/exec chroot --userspec=$uid:$uid}" "$root"
          env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/opt/kokoro KOKORO_CACHE=/opt/kokoro/cache)

# 6. kokoro doctor.
doctor="$("${as_image[@]}" /usr/local/bin/kokoro doctor 2>&1)" || { echo "$doctor" >&2; die "kokoro doctor failed in the root (above)"; }
echo "$doctor" | sed 's/^/  doctor: /' >&2

# 7. The server, as the image's CMD starts it (on loopback and a free port here). A fresh
# container has measured no voice's loudness yet: neither has this root.
rm -f "$root/opt/kokoro/cache/loudness.json"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
server_log="$work/server.log"
out="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -TERM "$server"; sleep 5; kill -KILL "$server" 2>/dev/null || true; fi
  rm -rf "$out"
}
trap cleanup EXIT
"${as_image[@]}" /usr/local/bin/kokoro serve --host 127.0.0.1 --port "$port" >"$server_log" 2>&1 &
server=$!
started=$(date +%s.%N)
ready=0
for _ in $(seq 1 600); do
  # The image's HEALTHCHECK, run inside the root as the image's user.
  set +e
  "${as_image[@]}" curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null
  check=$?
  set -e
  [ "$check" = 0 ] && { ready=1; break; }
  [ "$check" = 127 ] && die "the image's HEALTHCHECK cannot run: no curl in the root; add curl to $list"
  kill -0 "$server" 2>/dev/null || { cat "$server_log" >&2; die "kokoro serve exited while starting (log above)"; }
  sleep 0.5
done
[ "$ready" = 1 ] || { cat "$server_log" >&2; die "kokoro serve was not ready after 300 s (log above)"; }
ready_seconds="$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")"
rss_mb="$(awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$server/status" 2>/dev/null || echo "?")"
log "ready after ${ready_seconds} s (HEALTHCHECK's curl in the root); resident memory at ready: ${rss_mb} MiB"

# 8. It speaks as set-up meant: decoder windows on, af_heart with its decoder statistics (a
# missing split graph would leave it on the whole model, whole sentences).
status_json="$(curl -fsS "http://127.0.0.1:$port/status")" || die "GET /status failed"
python3 - "$status_json" <<'PY' || die "the server does not decode in windows with af_heart's statistics: an asset is missing from deploy/copy-assets.sh's list (GET /status: $status_json)"
import json, sys
status = json.loads(sys.argv[1])
windows, voices = status.get("decoder_windows"), status.get("calibrated_voices") or []
print(f"check-runtime-image: /status: decoder windows {windows}, voices with statistics {', '.join(voices)}", file=sys.stderr)
sys.exit(0 if windows and "af_heart" in voices else 1)
PY

# 9. Requests.
speech() {  # FORMAT VOICE TEXT FILE
  curl -sS -o "$4" -w '%{http_code}' "http://127.0.0.1:$port/v1/audio/speech" -H 'Content-Type: application/json' \
    -d "{\"model\":\"tts-1\",\"input\":\"$3\",\"voice\":\"$2\",\"response_format\":\"$1\",\"stream\":false}"
}
status="$(speech wav af_heart "The container's runtime works: this sentence came out of it." "$out/en.wav")"
[ "$status" = 200 ] || { cat "$out/en.wav" >&2; echo >&2; die "the English request answered $status (body above)"; }
python3 - "$out/en.wav" <<'PY' || die "the English response is not a WAV with speech in it"
import array, sys, wave
with wave.open(sys.argv[1]) as w:
    frames = w.readframes(w.getnframes())
    rate, width, seconds = w.getframerate(), w.getsampwidth(), w.getnframes() / w.getframerate()
samples = array.array("h", frames)
peak = max(map(abs, samples), default=0) / 32768
print(f"check-runtime-image: WAV: {seconds:.2f} s at {rate} Hz, {8 * width}-bit, peak {peak:.2f}", file=sys.stderr)
sys.exit(0 if width == 2 and seconds > 1 and peak > 0.05 else 1)
PY
status="$(speech mp3 ef_dora "El contenedor también habla español." "$out/es.mp3")"
[ "$status" = 200 ] || { cat "$out/es.mp3" >&2; echo >&2; die "the Spanish request (espeak-ng) answered $status (body above)"; }
python3 - "$out/es.mp3" <<'PY' || die "the Spanish response is not an MP3"
import sys
data = open(sys.argv[1], "rb").read()
if data[:3] == b"ID3":
    data = data[10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]):]
ok = len(data) > 1000 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0
print(f"check-runtime-image: MP3: {len(data)} bytes of frames, frame sync {'found' if ok else 'missing'}", file=sys.stderr)
sys.exit(0 if ok else 1)
PY

# 10. SIGTERM: drain and exit 0.
kill -TERM "$server"
set +e
wait "$server"
code=$?
set -e
server=""
[ "$code" = 0 ] || { tail -n 20 "$server_log" >&2; die "kokoro serve exited $code after SIGTERM, not 0 (log above)"; }
log "SIGTERM: exited 0"
log "PASSED: the runtime root of $list${drop:+ without $drop} serves kokoro ($(du -sh "$root" | cut -f1) with the assets)"
