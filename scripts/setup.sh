#!/usr/bin/env bash
# Installs what kubeleak needs to build and test, idempotently (second runs skip what is
# there). Never downloads a tool at build or test time: everything comes from crates.io,
# npm, Debian and rustup here, at set-up.
#   scripts/setup.sh            toolchain for building and serving the page
#   scripts/setup.sh --browser  also Debian's chromium + chromium-driver, python3 and
#                               prometheus (+ promtool) for the tests
set -euo pipefail
cd "$(dirname "$0")/.."
export TRUNK_SKIP_VERSION_CHECK=true
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14   # 0.22 needs rustc >= 1.96; see ../shared/TOOLCHAIN.md P1
# wasm-bindgen-cli must equal the wasm-bindgen crate pinned in Cargo.lock.
WB_VERSION=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)

say() { printf 'setup: %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
if ! trunk --version 2>/dev/null | grep -q " ${TRUNK_VERSION}$"; then
  say "installing trunk ${TRUNK_VERSION} (about 4 min)"
  cargo install trunk --version "${TRUNK_VERSION}" --locked
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${WB_VERSION}$"; then
  say "installing wasm-bindgen-cli ${WB_VERSION} (about 1.5 min)"
  cargo install wasm-bindgen-cli --version "=${WB_VERSION}" --locked
fi
# cargo-deny for the dependency stage of scripts/test.sh (bans, licenses, sources; run
# offline: it never fetches the advisory database).
DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -q " ${DENY_VERSION}$"; then
  say "installing cargo-deny ${DENY_VERSION} (about 6 min)"
  cargo install cargo-deny --version "${DENY_VERSION}" --locked
fi
# playwright-core (drives the installed Chromium; downloads no browser) and binaryen's
# wasm-opt 132 (Debian's 108 cannot read today's wasm).
if [ ! -x tests/e2e/node_modules/.bin/wasm-opt ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  say "installing npm packages of tests/e2e"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

# cargo-fuzz for the fuzz smoke test, only where a nightly toolchain exists (rustup
# cannot fetch one here: the fuzz stage is skipped without it).
if [ "${1:-}" = "--browser" ] && cargo +nightly --version >/dev/null 2>&1 && ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (about 1 min)"
  cargo install cargo-fuzz --locked
fi

if [ "${1:-}" = "--browser" ]; then
  # python3: the collector's --profile test runs the SIGUSR2 hook in a real Python.
  # prometheus (Debian's 2.42, with promtool): the collector's --prometheus tests load
  # history with promtool and run their own Prometheus (own port, own data directory).
  need_browser=""; need_prom=""
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v python3 >/dev/null; then
    need_browser=1
  fi
  if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
    need_prom=1
  fi
  if [ -n "$need_browser$need_prom" ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  fi
  if [ -n "$need_browser" ]; then
    say "installing Debian's chromium, chromium-driver and python3"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver python3 >/dev/null
  fi
  if [ -n "$need_prom" ]; then
    say "installing Debian's prometheus (prometheus, promtool)"
    # The package would start a system Prometheus (on :9090, scraping itself): the tests
    # neither need nor want one. A policy-rc.d that refuses service starts (the one
    # Docker images already have, else ours for the install) keeps it from starting;
    # where systemd runs, the unit is also disabled. No recommends (node-exporter, another
    # service).
    own_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
      $SUDO chmod 755 /usr/sbin/policy-rc.d
      own_policy=1
    fi
    rc=0
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null || rc=$?
    if [ -n "$own_policy" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
    if [ "$rc" != 0 ]; then say "apt-get install prometheus failed ($rc)"; exit "$rc"; fi
    if [ -d /run/systemd/system ]; then
      $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
    fi
  fi
fi
say "ready"
