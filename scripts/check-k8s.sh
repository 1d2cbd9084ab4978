#!/usr/bin/env bash
# Validates deploy/k8s offline, with no cluster: each kustomization (the base and every
# overlay) is built with Debian's kubectl (`kubectl kustomize`) and its output checked by
# kubernetes-validate --strict (PyPI, pinned, in a venv of the cache) against Kubernetes'
# schemas; a newer kubectl on PATH, if any, must build the same output; then the autoscaler
# is checked to scale on the gauge the server exports at /metrics.
#
#   scripts/check-k8s.sh
#   KUBECTL=/path/to/kubectl ...        build with this kubectl instead of Debian's
#   KOKORO_K8S_VERSIONS="1.30" ...      the Kubernetes versions to validate against (default
#                                       "1.25 1.30 1.37": the oldest kubernetes-validate 1.37.0
#                                       reads, a middle one, its newest)
#   KOKORO_CACHE=/path ...              the cache (default ~/.cache/kokoro-swift)
#
# Debian bookworm's kubectl is kubernetes-client 1.20.2 (kustomize v2.0.3): installed, or
# else its package is fetched with apt-get download, checked against the sha256 pinned below
# and unpacked into the cache. Idempotent: the venv and the unpacked kubectl are reused.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cache="${KOKORO_CACHE:-$HOME/.cache/kokoro-swift}"
k8s_versions="${KOKORO_K8S_VERSIONS:-1.25 1.30 1.37}"
VALIDATE_PIP=(kubernetes-validate==1.37.0)
# Debian bookworm's kubernetes-client (kubectl 1.20.2), as its Packages index gives it.
DEBIAN_KUBECTL_VERSION=1.20.5+really1.20.2-1.1+deb12u1
DEBIAN_KUBECTL_SHA=087c42dc26c847740043cdaa8b16db666be5591a1da957f822922aa1b677494e
GAUGE=kokoro_realtime_capacity_in_use

log() { printf 'check-k8s: %s\n' "$*" >&2; }
die() { printf 'check-k8s: FAILED: %s\n' "$*" >&2; exit 1; }

# kubectl: $KUBECTL, else Debian's (installed, or unpacked into the cache).
debian_kubectl() {
  if [ "$(dpkg-query -W -f='${Version}' kubernetes-client 2>/dev/null)" = "$DEBIAN_KUBECTL_VERSION" ]; then
    echo /usr/bin/kubectl; return 0
  fi
  local dir="$cache/kubernetes-client"
  if [ ! -x "$dir/usr/bin/kubectl" ]; then
    command -v apt-get >/dev/null || die "no Debian kubectl: apt-get is missing (set KUBECTL to a kubectl)"
    mkdir -p "$cache/downloads"
    local deb="$cache/downloads/kubernetes-client_${DEBIAN_KUBECTL_VERSION//:/%3a}_amd64.deb" got
    if [ ! -f "$deb" ]; then
      log "downloading Debian's kubernetes-client $DEBIAN_KUBECTL_VERSION"
      (cd "$cache/downloads" && apt-get download "kubernetes-client=$DEBIAN_KUBECTL_VERSION" >&2 2>/dev/null) \
        || die "apt-get download kubernetes-client=$DEBIAN_KUBECTL_VERSION failed (run apt-get update; or set KUBECTL to a kubectl)"
    fi
    got="$(sha256sum "$deb" | cut -d' ' -f1)"
    [ "$got" = "$DEBIAN_KUBECTL_SHA" ] || { rm -f "$deb"; die "$deb had sha256 $got, expected $DEBIAN_KUBECTL_SHA (removed; rerun)"; }
    rm -rf "$dir.tmp" && dpkg-deb -x "$deb" "$dir.tmp" && rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  echo "$dir/usr/bin/kubectl"
}
kubectl="${KUBECTL:-$(debian_kubectl)}"
"$kubectl" kustomize --help >/dev/null 2>&1 || die "$kubectl has no kustomize command (kubectl 1.14 or later is needed)"
log "kubectl: $("$kubectl" version --client --short 2>/dev/null || "$kubectl" version --client 2>/dev/null | head -n1) ($kubectl)"
# A second kubectl to compare with: the one on PATH, when it is another.
other="$(command -v kubectl || true)"
[ -n "$other" ] && [ "$(realpath "$other")" != "$(realpath "$kubectl")" ] || other=""

# kubernetes-validate, pinned, in a venv of the cache.
venv="$cache/k8s-venv"
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "${VALIDATE_PIP[*]}" ]; then
  log "installing ${VALIDATE_PIP[*]} into $venv"
  python3 -m venv "$venv" || die "python3 -m venv failed (apt-get install python3-venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${VALIDATE_PIP[@]}" >&2 \
    || die "could not install ${VALIDATE_PIP[*]} from PyPI (pip's error is above)"
  echo "${VALIDATE_PIP[*]}" >"$venv/.installed"
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=0
for dir in "$repo"/deploy/k8s/base "$repo"/deploy/k8s/overlays/*/; do
  dir="${dir%/}"
  name="${dir#"$repo"/}"
  yaml="$out/$(echo "$name" | tr / _).yaml"
  if ! "$kubectl" kustomize "$dir" >"$yaml" 2>"$out/err"; then
    cat "$out/err" >&2
    log "$name: kubectl kustomize failed (above)"; failed=1; continue
  fi
  if grep -qi warning "$out/err"; then cat "$out/err" >&2; log "$name: kustomize warned (above)"; failed=1; fi
  if [ -n "$other" ]; then
    # Newer kustomize warns that bases and patchesStrategicMerge are deprecated: nothing else.
    if ! "$other" kustomize "$dir" >"$out/other.yaml" 2>"$out/err"; then
      cat "$out/err" >&2; log "$name: $other kustomize failed (above)"; failed=1
    elif grep -i warning "$out/err" | grep -qv "'bases' is deprecated\|'patchesStrategicMerge' is deprecated"; then
      cat "$out/err" >&2; log "$name: $other kustomize warned (above)"; failed=1
    elif ! diff -u "$yaml" "$out/other.yaml" >&2; then
      log "$name: $other builds another output than $kubectl (diff above)"; failed=1
    fi
  fi
  valid=1
  for version in $k8s_versions; do
    if ! "$venv/bin/kubernetes-validate" --quiet --strict --kubernetes-version "$version" "$yaml" >"$out/validate" 2>&1; then
      cat "$out/validate" >&2
      log "$name: kubernetes-validate --strict for Kubernetes $version failed (above)"; failed=1; valid=0
    fi
  done
  [ "$valid" = 0 ] || log "$name: ${other:+the same with $("$other" version --client 2>/dev/null | head -n1 | sed 's/Client Version: //'); }$(grep -c '^kind:' "$yaml") objects ($(grep '^kind:' "$yaml" | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ $//')) valid for Kubernetes ${k8s_versions// /, } (--strict)"
done
[ "$failed" = 0 ] || die "see above"

# The autoscaler's metric is the gauge the server exports (ServerMetrics, read back by
# ServerEndpointTests.metricsExportTheFractionOfRealTimeCapacityInUse).
grep -q "name: $GAUGE\$" "$out/deploy_k8s_base.yaml" || die "the base's HorizontalPodAutoscaler does not scale on $GAUGE"
grep -q "\"${GAUGE#kokoro_}\"" "$repo/Sources/KokoroServer/ServerMetrics.swift" \
  || die "the server does not export $GAUGE (Sources/KokoroServer/ServerMetrics.swift), which the autoscaler scales on"
grep -q "matches: \"^$GAUGE\\$\"" "$repo/deploy/k8s/prometheus-adapter/values.yaml" \
  || die "deploy/k8s/prometheus-adapter/values.yaml does not serve $GAUGE"
log "the autoscaler scales on $GAUGE, which the server exports and the adapter's rule serves"
log "PASSED"
