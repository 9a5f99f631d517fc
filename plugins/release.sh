#!/usr/bin/env bash
# Release archives of the kubectl plugin, one per platform, with checksums:
#   bash plugins/release.sh                     the host's platform
#   bash plugins/release.sh aarch64-unknown-linux-gnu x86_64-apple-darwin …   Rust targets
#                                               (their toolchains and linkers installed)
# For each target: `cargo build --release --locked -p kubeleak --target T`, then
# dist-release/kubeleak-vVERSION-OS-ARCH.tar.gz holding kubectl-kubeleak, kubeleak and
# README.md; dist-release/SHA256SUMS; and dist-release/kubeleak.yaml, the krew manifest
# with the sha256 of each archive built (platforms not built keep plugins/kubeleak.yaml's).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
OUT=dist-release
mkdir -p "$OUT"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("$(rustc -vV | sed -n 's/^host: //p')")
cp plugins/kubeleak.yaml "$OUT/kubeleak.yaml"

platform() { # Rust target → krew os-arch
  local os arch
  case "$1" in
    x86_64-*) arch=amd64 ;; aarch64-*) arch=arm64 ;; *) echo "unsupported target $1" >&2; exit 2 ;;
  esac
  case "$1" in
    *-linux-*) os=linux ;; *-apple-darwin) os=darwin ;; *) echo "unsupported target $1" >&2; exit 2 ;;
  esac
  echo "$os-$arch"
}

for t in "${targets[@]}"; do
  p=$(platform "$t")
  cargo build --release --locked -p kubeleak --target "$t"
  name="kubeleak-v${VERSION}-${p}"
  stage=$(mktemp -d)
  cp "target/$t/release/kubectl-kubeleak" "target/$t/release/kubeleak" README.md "$stage/"
  # Reproducible archive: fixed order, owner and times.
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='@0' -C "$stage" -cf - . | gzip -9n > "$OUT/$name.tar.gz"
  rm -rf "$stage"
  sum=$(sha256sum "$OUT/$name.tar.gz" | cut -d' ' -f1)
  # The manifest's sha256 line after this platform's uri.
  sed -i "/\/${name}\.tar\.gz$/{n;s/sha256: .*/sha256: \"${sum}\"/;}" "$OUT/kubeleak.yaml"
  echo "release: $OUT/$name.tar.gz $sum" >&2
done
(cd "$OUT" && sha256sum kubeleak-v*.tar.gz > SHA256SUMS)
echo "release: $OUT/SHA256SUMS, $OUT/kubeleak.yaml" >&2
