#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the real fixtures (tests/fixtures/) and fuzz/seeds/.
# Idempotent: files are named by content hash. Run again after new fixtures land.
# For a kind target the output after the fixture's own prompt line is also seeded, since
# the target supplies the prompt itself.
set -euo pipefail
cd "$(dirname "$0")"
FIX=../tests/fixtures

add() { # add TARGET FILE...
  local t=$1; shift
  mkdir -p "corpus/$t"
  for f in "$@"; do
    [ -f "$f" ] || continue
    local h; h=$(sha1sum "$f" | cut -c1-16)
    cp "$f" "corpus/$t/$h"
  done
}
# Output of FILE after its first prompt of the given kind (a regex on the prompt line).
after_prompt() { # after_prompt TARGET REGEX FILE...
  local t=$1 re=$2; shift 2
  local tmp; tmp=$(mktemp)
  for f in "$@"; do
    [ -f "$f" ] || continue
    awk -v re="$re" 'found {print} !found && $0 ~ re {found=1}' "$f" > "$tmp"
    [ -s "$tmp" ] && add "$t" "$tmp"
  done
  rm -f "$tmp"
}
shopt -s nullglob globstar
all=($FIX/**/*.txt $FIX/**/*.log $FIX/**/*.json $FIX/**/*.yaml $FIX/**/*.gz seeds/*)
inputs=()
for f in "${all[@]}"; do case "$f" in *.expected.json) ;; */adversarial/*) ;; *) inputs+=("$f");; esac; done

add analyze "${inputs[@]}"
add decode "${inputs[@]}"
add sections "${inputs[@]}"
kind() { # kind TARGET GLOB-UNDER-CASES PROMPT-REGEX SEED...
  local t=$1 glob=$2 re=$3; shift 3
  local files=($FIX/cases/$glob)
  local real=()
  for f in "${files[@]}"; do case "$f" in *.expected.json) ;; *) real+=("$f");; esac; done
  add "$t" "${real[@]}" "$@"
  after_prompt "$t" "$re" "${real[@]}"
}
kind kind_top 'top/*' 'kubectl top po' $FIX/skeleton-top.txt
kind kind_top_node 'top-node/*' 'kubectl top no'
kind kind_get_pods 'get-pods/*.txt' 'kubectl get po' seeds/get_pods.txt
kind kind_pods_json 'get-pods/*.json' 'kubectl get po' seeds/pods.json
kind kind_pods_yaml 'get-pods/*.yaml' 'kubectl get po' seeds/pods.yaml
kind kind_describe 'describe/*' 'kubectl describe po'
kind kind_events 'events/*' 'kubectl (get )?ev'
kind kind_logs 'logs/*' 'kubectl logs' seeds/logs.txt

# Quantities and times: one value per file, as kubectl prints them.
i=0
for q in 512Mi 0.5Gi 129e6 128974848 100m 1.5 .5Ki 2E 99999999999999999999Ei -1Mi 1E+3 900Ki 6844Mi; do
  mkdir -p corpus/quantity; printf '%s' "$q" > corpus/quantity/seed-$i; i=$((i+1))
done
i=0
for t in 45s 5m 3h2m 2d3h 5y '<invalid>' '<unknown>' 'Tue Nov 24 10:00:00 UTC 2026' 'Tue Nov 24 10:00:00 2026' \
  2026-11-24T10:00:00Z 2026-11-24T09:57:58.500000000Z 1970-01-01T00:00:00Z 2262-04-11T23:47:16.854775807Z; do
  mkdir -p corpus/time; printf '%s' "$t" > corpus/time/seed-$i; i=$((i+1))
done
du -sh corpus
