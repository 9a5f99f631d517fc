//! `kubeleak`: the command-line face of kubeleak.
//!
//! `kubeleak analyze FILE…` reads bundles (plain text, gzip, or `-` for stdin) and prints
//! what the analysis found, as text for people, as the JSON contract
//! (`docs/analysis-json-v1.md`) for scripts, or as a self-contained HTML report.
//! Thin glue over `kubeleak-analysis`.
//!
//! Exit status: 0 done; 1 `--fail-on` matched a finding; 2 usage or I/O error.
//!
//! `kubeleak collect -n NS -l SELECTOR` runs the real `kubectl` against a live cluster
//! and writes a bundle (`collect.rs`, `docs/collector.md`; its exit codes are listed there
//! and in `kubeleak collect --help`).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use kubeleak_analysis as analysis;

mod bundle;
mod collect;
mod kubectl;
mod pods;
mod profile;
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
        /// Output format: text for people, json (the stable contract), html (a
        /// self-contained report file).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit with status 1 when a finding of this severity or worse exists (for CI and
        /// scripts). Without it, analyze exits 0 whatever it finds.
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
        /// Analyze on one thread, as the web page does (by default big logs are digested
        /// on a second thread while the input is read; the report is the same).
        #[arg(long)]
        single_thread: bool,
    },
    /// Capture a bundle from a live cluster with the real kubectl.
    ///
    /// Runs `kubectl version`, `get pods -o wide` and `-o json`, `describe pod`, `get
    /// events`, `top pod --containers` (--samples times, every --interval) and `logs
    /// --timestamps` for every container (plus `--previous` where it restarted), and
    /// writes them as one bundle (gzip) for `kubeleak analyze`. Secrets are redacted by
    /// default; Secrets objects are never read. See docs/collector.md.
    #[command(after_help = collect::EXIT_CODES_HELP)]
    Collect(Box<collect::Args>),
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Warning,
    Critical,
}

impl FailOn {
    fn threshold(self) -> analysis::Severity {
        match self {
            FailOn::Warning => analysis::Severity::Warning,
            FailOn::Critical => analysis::Severity::Critical,
        }
    }
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
        Command::Analyze { files, format, fail_on, single_thread } => {
            // Every file is opened first (a typo fails before any work); each is then
            // streamed through the analysis in 1 MiB reads, never held whole.
            let mut readers: Vec<(String, Box<dyn Read>)> = Vec::new();
            for f in &files {
                let name = f.display().to_string();
                let r: Box<dyn Read> = if name == "-" {
                    Box::new(std::io::stdin())
                } else {
                    Box::new(std::fs::File::open(f).with_context(|| format!("cannot read {name}"))?)
                };
                readers.push((name, r));
            }
            let mut analyzer = analysis::Analyzer::new(analysis::input::Limits {
                digest_threads: !single_thread,
                ..Default::default()
            });
            let mut buf = vec![0u8; 1 << 20];
            for (name, mut r) in readers {
                analyzer.begin(&name);
                loop {
                    match r.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => analyzer.feed(buf.get(..n).unwrap_or(&buf)),
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e).with_context(|| format!("cannot read {name}")),
                    }
                }
                analyzer.end();
            }
            let result = analyzer.finish();
            let out = match format {
                Format::Json => analysis::report::to_json(&result) + "\n",
                Format::Text => text::render(&result),
                Format::Html => analysis::html::report(&result, env!("CARGO_PKG_VERSION")),
            };
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = stdout.write_all(out.as_bytes());
            let failing = fail_on.is_some_and(|f| result.findings.iter().any(|x| x.severity >= f.threshold()));
            // The process ends here: freeing the model piece by piece (every series,
            // template and quoted line) took 20-30 ms at 200 MB, for nothing.
            std::mem::forget(result);
            Ok(if failing { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Collect(args) => collect::run(*args),
    }
}
