#!/usr/bin/env bash
# Sets up (idempotent) and runs every test: native unit and cross-crate tests, the
# wasm tests in headless Chromium, clippy, and the browser end-to-end tests against the
# release build. Ends with one line counted from the runners' own output:
#   tests: N passed, M failed
# (a stage that fails without a runner count, e.g. a compile error, counts as 1 failed).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser || { echo "tests: 0 passed, 1 failed"; exit 1; }
export PATH="$PWD/tests/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"

LOG_DIR="${TMPDIR:-/tmp}/kubeleak-test-logs.$$"
mkdir -p "$LOG_DIR"
passed=0; failed=0; stages_failed=()

# Runs one stage, shows its output, and adds its runner's counts.
stage() {
  local name="$1"; shift
  local log="$LOG_DIR/$name.log"
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  # cargo test and wasm-bindgen-test-runner: "test result: ok. 3 passed; 0 failed; …"
  local p f
  p=$(grep -aoE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
  f=$(grep -aoE '[0-9]+ passed; [0-9]+ failed' "$log" | awk '{s+=$3} END {print s+0}')
  # fuzz smoke: "fuzz-smoke: 13 passed, 0 failed"
  p=$((p + $(grep -aoE '^fuzz-smoke: [0-9]+ passed' "$log" | awk '{s+=$2} END {print s+0}')))
  f=$((f + $(grep -aoE '^fuzz-smoke: [0-9]+ passed, [0-9]+ failed' "$log" | awk '{s+=$4} END {print s+0}')))
  # node --test: "# pass 2" / "# fail 0"
  p=$((p + $(grep -aE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')))
  f=$((f + $(grep -aE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  [ "$rc" -eq 0 ] || stages_failed+=("$name")
}

stage build-page trunk build --release
stage fmt cargo fmt --all --check
stage native cargo test --workspace --locked
# The real-paste corpus (tests/real.rs, issue 16): its summary line.
cat target/tmp/real-summary.txt 2>/dev/null || echo "real: no summary (tests/real.rs did not run)"
stage wasm cargo test --target wasm32-unknown-unknown -p kubeleak-web --locked
stage clippy cargo clippy --workspace --all-targets --locked -- -D warnings
stage clippy-wasm cargo clippy --target wasm32-unknown-unknown -p kubeleak-analysis -p kubeleak-web --all-targets --locked -- -D warnings
stage e2e bash -c 'cd tests/e2e && node --test'
# Dependencies (deny.toml): banned unmaintained crates, duplicate majors, licenses, sources.
# Offline: bans/licenses/sources need only Cargo.lock and the downloaded crates.
stage deny cargo deny --offline --locked check bans licenses sources
# Every fuzz target briefly (docs/security.md), where a nightly toolchain exists.
if cargo +nightly --version >/dev/null 2>&1; then
  FUZZ_SECONDS="${FUZZ_SECONDS:-10}" stage fuzz-smoke bash scripts/fuzz-smoke.sh
else
  echo "=== fuzz-smoke: skipped (no nightly toolchain on this machine)"
fi

[ ${#stages_failed[@]} -eq 0 ] || echo "failed stages: ${stages_failed[*]}"
echo "tests: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ ${#stages_failed[@]} -eq 0 ]
