//! Developer tasks for kubeleak (`cargo xtask …`, see `.cargo/config.toml`): the bundle
//! generator lives here as a library so the criterion benches of `kubeleak-analysis`
//! use the very same bundles as `cargo xtask bench`. `fleet` writes bundles of many
//! replicas (issue 23).

pub mod fleet;
pub mod gen;
pub mod history;
