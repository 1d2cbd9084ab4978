#!/usr/bin/env bash
# Installs what the tests need (scripts/setup.sh: Debian packages, ONNX Runtime, the model,
# voices, dictionaries), runs the whole test suite against the real model, then fuzzes a
# live server against its OpenAPI document (scripts/fuzz.sh, a small case count) and drives
# one with real clients from PyPI: OpenAI's SDK, Home Assistant's wyoming and websockets for the
# live route (scripts/clients.sh); and validates the Kubernetes manifests offline (scripts/check-k8s.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
swift build --build-tests "$@"
swift test --skip-build "$@"
scripts/fuzz.sh --examples 10
scripts/clients.sh
scripts/check-k8s.sh
