//! Developer tasks for kubeleak (`cargo xtask …`, see `.cargo/config.toml`): the bundle
//! generator lives here as a library so the criterion benches of `kubeleak-analysis`
//! use the very same bundles as `cargo xtask bench`.

pub mod gen;
pub mod history;
