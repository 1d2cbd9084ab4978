#!/usr/bin/env bash
# Installs what kokoro needs (scripts/setup.sh), builds it optimized and starts the server
# on 127.0.0.1:8880 with the default model and voice. Extra arguments go to `kokoro serve`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
swift build -c release --product kokoro
exec "$(swift build -c release --show-bin-path)/kokoro" serve "$@"
