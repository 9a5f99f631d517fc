//! Shared helpers for kubeleak's cross-crate tests: where fixtures live.

use std::path::PathBuf;

/// Path of a file under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

/// Reads a fixture as bytes.
pub fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Generated Prometheus history (pods over hours, as API JSON and Grafana CSV): the
/// generator of `cargo xtask`, included by path so these tests need not build xtask.
#[path = "../xtask/src/history.rs"]
pub mod history;
