//! `kubeleak`: see `cli.rs`.

fn main() -> std::process::ExitCode {
    kubeleak::cli::main()
}
