#!/usr/bin/env bash
# Installs what the tests need (scripts/setup.sh: Debian packages, ONNX Runtime, the model,
# voices, dictionaries), runs the whole test suite against the real model, then fuzzes a
# live server against its OpenAPI document (scripts/fuzz.sh, a small case count) and drives
# one with real clients from PyPI: OpenAI's SDK and Home Assistant's wyoming (scripts/clients.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
swift build --build-tests "$@"
swift test --skip-build "$@"
scripts/fuzz.sh --examples 10
scripts/clients.sh
