#!/usr/bin/env bash
# Fuzz smoke test for CI: builds every cargo-fuzz target in fuzz/ (nightly, ASan, debug
# assertions and overflow checks) and runs each one briefly from its committed corpus.
# Exits non-zero if any target crashes, hangs (> 5 s on one input) or runs out of memory
# (> 2 GiB); the input that did it is left in fuzz/artifacts/<target>/ and its replay
# command is printed. New corpus entries go to a temporary directory, so the committed
# corpus (fuzz/corpus/) is never changed by a run.
#
#   scripts/fuzz-smoke.sh              # every target, 20 s each
#   FUZZ_SECONDS=60 scripts/fuzz-smoke.sh analyze decode
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
# Measured on the 2-core dev machine: 250 s with the targets already built (13 × 20 s),
# 403 s from a cold build (into fuzz/target unless CARGO_TARGET_DIR is set).
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${FUZZ_SECONDS:-20}"
# Bound the number of runs too, so a fast target does not spin for nothing.
RUNS="${FUZZ_RUNS:-200000}"
export PATH="$HOME/.cargo/bin:$PATH"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
  exit 2
fi
start=$(date +%s)
cd fuzz
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
echo "=== building ${#targets[@]} fuzz targets"
cargo +nightly fuzz build || { echo "fuzz-smoke: build failed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" "artifacts/$t"
  echo "=== $t (${SECONDS_EACH}s)"
  seeds=()
  [ -d "corpus/$t" ] && seeds=("corpus/$t")
  if cargo +nightly fuzz run "$t" "$work/$t" "${seeds[@]}" -- \
      -max_total_time="$SECONDS_EACH" -runs="$RUNS" -max_len=65536 -timeout=5 \
      -rss_limit_mb=2048 -print_final_stats=1 > "$work/$t.log" 2>&1; then
    grep -E '^stat::number_of_executed_units' "$work/$t.log" | sed "s/^/  /"
  else
    failed+=("$t")
    # The panic message and the first frames of our code, then how to replay.
    grep -E "panicked at|ERROR: libFuzzer|SUMMARY|Test unit written to" "$work/$t.log" | sed "s/^/  /"
    grep -A1 -E "kubeleak_analysis::" "$work/$t.log" | head -12 | sed "s/^/  /"
    echo "  replay: cd fuzz && cargo +nightly fuzz run $t artifacts/$t/<crash-file>"
  fi
done
echo "fuzz-smoke: ${#targets[@]} targets, $(( $(date +%s) - start ))s total"
# One count line per run, as test runners print (scripts/test.sh adds it up).
echo "fuzz-smoke: $(( ${#targets[@]} - ${#failed[@]} )) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-smoke: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz-smoke: no crash"
