//! `kubectl-kubeleak`: the same program under the name kubectl's plugin mechanism finds
//! on `PATH`, so `kubectl kubeleak collect …` works; its help and errors then say
//! `kubectl kubeleak` (see `cli.rs`).

fn main() -> std::process::ExitCode {
    kubeleak::cli::main()
}
