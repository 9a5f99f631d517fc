//! The `kubeleak` command line as a library, so that its two binaries share one build:
//! `kubeleak` (`src/main.rs`) and `kubectl-kubeleak` (`src/bin/kubectl-kubeleak.rs`, the
//! name kubectl's plugin mechanism finds on `PATH`: `kubectl kubeleak …`). The `xtask`
//! man page is generated from [`cli::command`].

pub mod cli;

mod bundle;
mod collect;
mod kubectl;
mod pods;
mod profile;
mod prometheus;
mod signals;
mod text;
