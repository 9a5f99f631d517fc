//! `kubeleak`: the command-line face of kubeleak.
//!
//! `kubeleak analyze FILE…` reads bundles (plain text, gzip, or `-` for stdin) and prints
//! what the analysis found, as text for people or as the JSON contract
//! (`docs/analysis-json-v1.md`) for scripts. Thin glue over `kubeleak-analysis`.
//!
//! `kubeleak collect -n NS -l SELECTOR` runs the real `kubectl` against a live cluster
//! and writes a bundle (`collect.rs`, `docs/collector.md`).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use kubeleak_analysis as analysis;

mod bundle;
mod collect;
mod kubectl;
mod redact;
mod text;

#[derive(Parser)]
#[command(name = "kubeleak", version, about = "Find why a Python service in Kubernetes runs out of memory")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyze one or more bundles (kubectl output, pasted or captured; gzip is fine).
    Analyze {
        /// Files to read; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Capture a bundle from a live cluster with the real kubectl.
    #[command(after_help = collect::EXIT_CODES_HELP)]
    Collect(collect::Args),
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kubeleak: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Analyze { files, format } => {
            let mut contents = Vec::new();
            for f in &files {
                let name = f.display().to_string();
                let bytes = if name == "-" {
                    let mut b = Vec::new();
                    std::io::stdin().read_to_end(&mut b).context("reading standard input")?;
                    b
                } else {
                    std::fs::read(f).with_context(|| format!("cannot read {name}"))?
                };
                contents.push((name, bytes));
            }
            let inputs: Vec<analysis::Input<'_>> = contents
                .iter()
                .map(|(name, bytes)| analysis::Input { name, bytes })
                .collect();
            let result = analysis::analyze(&inputs, &analysis::input::Limits::default());
            let out = match format {
                Format::Json => analysis::report::to_json(&result) + "\n",
                Format::Text => text::render(&result),
            };
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = stdout.write_all(out.as_bytes());
            Ok(ExitCode::SUCCESS)
        }
        Command::Collect(args) => collect::run(args),
    }
}
