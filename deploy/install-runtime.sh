#!/bin/sh
# Turns a minimal Debian bookworm root into kokoro's runtime: installs the packages of
# deploy/runtime-packages.txt (without recommends) and adds the non-root user `kokoro`
# (uid and gid 10001) with its home /opt/kokoro. Run as root inside that root: by
# deploy/Dockerfile's runtime stage on debian:bookworm-slim, and by
# scripts/check-runtime-image.sh in a debootstrap root.
#
#   install-runtime.sh PACKAGE-LIST [PACKAGE-TO-LEAVE-OUT]
#
# The second argument leaves one package of the list out (check-runtime-image.sh uses it
# to show that the check fails without it). Idempotent: apt and an existing user are no-ops.
set -eu
list="$1"
drop="${2:-}"
[ -r "$list" ] || { echo "install-runtime: no package list at $list" >&2; exit 1; }
packages="$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$' | grep -vxF "${drop:-#}" || true)"
[ -n "$packages" ] || { echo "install-runtime: $list lists no packages" >&2; exit 1; }
if [ -n "$drop" ] && ! sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -qxF "$drop"; then
  echo "install-runtime: $drop is not in $list, so it cannot be left out (the list has: $(echo $packages))" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends $packages >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/*
getent group kokoro >/dev/null || groupadd --system --gid 10001 kokoro
getent passwd kokoro >/dev/null || useradd --system --uid 10001 --gid 10001 --home-dir /opt/kokoro --no-create-home --shell /usr/sbin/nologin kokoro
# Its home, writable: libraries write small state there (PulseAudio's ~/.config/pulse, which
# espeak-ng's audio library brings; ONNX Runtime's telemetry identifier).
install -d -o 10001 -g 10001 -m 0755 /opt/kokoro
echo "install-runtime: installed $(echo $packages)${drop:+ (left out: $drop)}" >&2
