#!/usr/bin/env bash
# Sets up (idempotent), builds the page in release mode and serves it on
# http://127.0.0.1:${PORT:-8080}/ . Open the URL and press "Try a sample".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/tests/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
PORT="${PORT:-8080}"
echo "kubeleak: building, then serving on http://127.0.0.1:${PORT}/"
exec trunk serve --release --address 127.0.0.1 --port "${PORT}" --open=false
