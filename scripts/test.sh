#!/usr/bin/env bash
# Installs what the tests need (scripts/setup.sh: Debian packages, ONNX Runtime, the model,
# voices, dictionaries) and runs the whole test suite against the real model.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
swift build --build-tests "$@"
swift test --skip-build "$@"
