#!/usr/bin/env bash
# Fuzzes a live server against its own OpenAPI document with schemathesis (PyPI): no
# server error, no status, content type, header or body outside the document, no crash,
# resident memory back near where it started, and a clean drain on SIGTERM (exit 0).
#
#   scripts/fuzz.sh [--examples N] [--max-time SECONDS] [--out results.json]
#
# Starts its own server (the debug build from `swift build`, or KOKORO_BIN) on a free
# loopback port with --max-input 300 and --max-audio-seconds 60, so a generated request
# stays a few seconds of work. scripts/test.sh runs it with a small count.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
examples=20
max_time=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --examples) examples="$2"; shift 2 ;;
    --max-time) max_time="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "fuzz.sh: unknown argument $1 (use --examples N, --max-time SECONDS, --out FILE)" >&2; exit 2 ;;
  esac
done

cache="${KOKORO_CACHE:-$HOME/.cache/kokoro-swift}"
venv="$cache/fuzz-venv"
source scripts/lib/server.sh
python_venv "$venv" "schemathesis==4.32.5"
# Voices' decoder statistics are not calibrated on first use here: the fuzzer names most of
# the 54 voices, whose calibrations (one at a time, a minute each, each decoding whole
# sentences of up to 163 tokens) would still run, and hold their memory, when the check
# below reads it; what calibration costs is measured by scripts/bench/reliability.py.
start_server --max-input 300 --max-audio-seconds 60 --calibrate-voices off
trap 'kill "$server" 2>/dev/null || true' EXIT
rss_start="$(server_rss)"
echo "fuzz.sh: server ready on $base, RSS ${rss_start} MB; fuzzing with up to $examples examples per operation" >&2

checks="not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"
started=$(date +%s)
set +e
"$venv/bin/schemathesis" run "$base/openapi.json" --checks "$checks" --max-examples "$examples" --workers 1 \
  --phases examples,coverage,fuzzing --suppress-health-check all --no-color ${max_time:+--max-time "$max_time"}
fuzz_status=$?
set -e
fuzz_seconds=$(( $(date +%s) - started ))
alive=1
kill -0 "$server" 2>/dev/null || alive=0
sleep 3
rss_end="$( [ $alive = 1 ] && server_rss || echo 0)"

# SIGTERM drains: the process must exit 0.
drain_status=1
if [ $alive = 1 ]; then
  stop_server
  drain_status=$stop_status
fi
trap - EXIT

growth=$(( rss_end - rss_start ))
echo "fuzz.sh: schemathesis exit $fuzz_status in ${fuzz_seconds} s; server alive after: $alive; RSS ${rss_start} -> ${rss_end} MB (+${growth}); exit on SIGTERM: $drain_status" >&2
if [ -n "$out" ]; then
  printf '{"examples": %s, "schemathesis_exit": %s, "seconds": %s, "server_alive": %s, "rss_start_mb": %s, "rss_end_mb": %s, "sigterm_exit": %s}\n' \
    "$examples" "$fuzz_status" "$fuzz_seconds" "$alive" "$rss_start" "$rss_end" "$drain_status" >"$out"
fi
status=0
[ "$fuzz_status" = 0 ] || { echo "fuzz.sh: schemathesis found failures (above)" >&2; status=1; }
[ $alive = 1 ] || { echo "fuzz.sh: the server died; its log:" >&2; cat "$server_log" >&2; status=1; }
[ "$growth" -le 150 ] || { echo "fuzz.sh: resident memory grew by ${growth} MB and did not come back" >&2; status=1; }
[ "$drain_status" = 0 ] || { echo "fuzz.sh: the server exited $drain_status on SIGTERM, not 0; its log:" >&2; tail -20 "$server_log" >&2; status=1; }
rm -f "$server_log"
exit $status
