//! `kubeleak`: the command-line face of kubeleak, also installed as `kubectl-kubeleak`
//! (a kubectl plugin: `kubectl kubeleak …`; its help and usage errors then say so).
//!
//! `kubeleak analyze FILE…` reads bundles (plain text, gzip, or `-` for stdin) and prints
//! what the analysis found, as text for people, as the JSON contract
//! (`docs/analysis-json-v1.md`) for scripts, or as a self-contained HTML report.
//! Thin glue over `kubeleak-analysis`.
//!
//! Exit status of `analyze`: 0 done; 1 `--fail-on` matched a finding; 2 usage or I/O
//! error; 3 nothing in the input was recognised ([`nothing_recognised`]).
//!
//! `kubeleak collect -l SELECTOR` runs the real `kubectl` against a live cluster and
//! writes a bundle (`collect.rs`, `docs/collector.md`; its exit codes are listed there
//! and in `kubeleak collect --help`). `kubeleak completions SHELL` prints a completion
//! script; the man page comes from [`command`] (`cargo xtask man`).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use kubeleak_analysis as analysis;

use crate::{collect, text};

/// `analyze` found nothing it could read in its input.
pub const EXIT_NOTHING_RECOGNISED: u8 = 3;

const ANALYZE_EXIT_CODES: &str = "Exit codes:
  0  done
  1  --fail-on matched a finding
  2  usage or I/O error
  3  nothing in the input was recognised as kubectl (or Python memory tool) output:
     no pod, no node, no finding; the report is still printed";

#[derive(Parser)]
#[command(
    name = "kubeleak",
    version,
    about = "Find why a Python service in Kubernetes runs out of memory",
    long_about = "Find why a Python service in Kubernetes runs out of memory.\n\n\
Capture kubectl output from a live cluster with `collect` (read-only; secrets redacted), \
then read it with `analyze` (or drop it into the web page). Installed as kubectl-kubeleak, \
it also runs as the kubectl plugin `kubectl kubeleak`."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyze one or more bundles (kubectl output, pasted or captured; gzip is fine).
    #[command(after_help = ANALYZE_EXIT_CODES)]
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
        #[arg(long, conflicts_with = "threads")]
        single_thread: bool,
        /// Threads of the analysis, the reading thread included: log streams are dealt to
        /// N − 1 digest threads (default 2; 1 is `--single-thread`). Same report for any N.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
        threads: Option<u16>,
        /// Also say, on standard error, how each region of the input was read (one line per
        /// section: its lines and what it was read as).
        #[arg(long)]
        explain: bool,
        /// Quote the bundle as it is: by default secrets (tokens, keys, passwords,
        /// credentials in URLs and headers) in the evidence and texts the output quotes are
        /// replaced by [REDACTED], and counted by kind (docs/security.md).
        #[arg(long)]
        no_redact: bool,
    },
    /// Capture a bundle from a live cluster with the real kubectl.
    ///
    /// Runs `kubectl version`, `get pods -o wide` and `-o json`, `describe pod`, `get
    /// events`, `top pod --containers` (--samples times, every --interval) and `logs
    /// --timestamps` for every container (plus `--previous` where it restarted), and
    /// writes them as one bundle (gzip) for `kubeleak analyze`. Without -n, the current
    /// context's namespace. Secrets are redacted by default; Secrets objects are never
    /// read. Ctrl-C, SIGTERM and SIGHUP end sampling; a second one writes at once. See
    /// docs/collector.md (also for the RBAC it needs).
    #[command(after_help = collect::EXIT_CODES_HELP)]
    Collect(Box<collect::Args>),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    ///
    /// bash: `kubeleak completions bash > ~/.local/share/bash-completion/completions/kubeleak`;
    /// zsh: into a directory of your $fpath as `_kubeleak`; fish:
    /// `~/.config/fish/completions/kubeleak.fish`; PowerShell: add the output to $PROFILE.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
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

/// How the program was called: `kubectl kubeleak` when its file is named
/// `kubectl-kubeleak` (kubectl's plugin mechanism, or a copy or link of that name),
/// else `kubeleak`.
pub fn invoked_as(argv0: Option<&std::ffi::OsStr>) -> &'static str {
    let stem = argv0
        .and_then(|a| std::path::Path::new(a).file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    if stem.starts_with("kubectl-kubeleak") {
        "kubectl kubeleak"
    } else {
        "kubeleak"
    }
}

/// The whole command line, named as it is called (`kubeleak` or `kubectl kubeleak`).
pub fn command(name: &'static str) -> clap::Command {
    let mut cmd = Cli::command().bin_name(name).display_name(name);
    if name != "kubeleak" {
        cmd = cmd.name(name);
    }
    cmd
}

pub fn main() -> ExitCode {
    let name = invoked_as(std::env::args_os().next().as_deref());
    let matches = command(name).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.with_cmd(&command(name)).exit(),
    };
    match run(cli, name) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{name}: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Nothing in the input was recognised: no pod, no node, no finding, no Python tool
/// output, and no section of a kind the analysis reads (only skipped sections, the
/// `unrecognized section skipped` / `does not read this kind` warnings, or nothing).
pub fn nothing_recognised(a: &analysis::Analysis) -> bool {
    use analysis::model::SectionKind;
    let m = &a.model;
    m.pods.iter().all(|p| analysis::model::is_placeholder_pod(&p.name))
        && m.nodes.is_empty()
        && a.findings.is_empty()
        && m.profiles.is_empty()
        && m.sections.iter().all(|s| matches!(s.kind, SectionKind::Other | SectionKind::Unknown | SectionKind::Text))
}

fn run(cli: Cli, name: &'static str) -> Result<ExitCode> {
    match cli.command {
        Command::Analyze { files, format, fail_on, single_thread, threads, explain, no_redact } => {
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
            let threads = if single_thread { 1 } else { usize::from(threads.unwrap_or(2)) };
            let mut analyzer = analysis::Analyzer::new(analysis::input::Limits {
                digest_threads: threads > 1,
                threads,
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
            let mut result = analyzer.finish();
            if !no_redact {
                // Only the texts the outputs quote; the findings are the same either way.
                let _ = analysis::redaction::redact(&mut result);
            }
            if explain {
                let m = &result.model;
                let mut err = std::io::stderr().lock();
                for s in &m.sections {
                    let command = s.command.as_deref().map(|c| format!(" (`{c}`)")).unwrap_or_default();
                    let _ = writeln!(
                        err,
                        "{}: lines {}-{}: {}{command}",
                        m.sources.get(s.source).map_or("-", |x| x.name.as_str()),
                        s.first_line,
                        s.last_line,
                        s.kind.reading()
                    );
                }
            }
            let out = match format {
                Format::Json => analysis::report::to_json(&result) + "\n",
                Format::Text => text::render(&result),
                Format::Html => analysis::html::report(&result, env!("CARGO_PKG_VERSION")),
            };
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = stdout.write_all(out.as_bytes());
            let failing = fail_on.is_some_and(|f| result.findings.iter().any(|x| x.severity >= f.threshold()));
            let nothing = nothing_recognised(&result);
            if nothing {
                let skipped = result.model.sections.len();
                let _ = writeln!(
                    std::io::stderr(),
                    "{name}: nothing in the input was recognised as kubectl output ({skipped} section(s) skipped); \
see docs/bundle-format.md for what is read (exit status {EXIT_NOTHING_RECOGNISED})"
                );
            }
            // The process ends here: freeing the model piece by piece (every series,
            // template and quoted line) took 20-30 ms at 200 MB, for nothing.
            std::mem::forget(result);
            Ok(if failing {
                ExitCode::from(1)
            } else if nothing {
                ExitCode::from(EXIT_NOTHING_RECOGNISED)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Collect(args) => collect::run(*args),
        Command::Completions { shell } => {
            // Completions for the command as the shell sees it: `kubeleak`, or the
            // plugin's file name (kubectl itself completes plugins only through a
            // `kubectl_complete-kubeleak` helper, which this is not).
            let bin = if name == "kubeleak" { "kubeleak" } else { "kubectl-kubeleak" };
            let mut cmd = Cli::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, bin, &mut out);
            let _ = std::io::stdout().lock().write_all(&out);
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn the_name_follows_the_file_name() {
        assert_eq!(invoked_as(Some(OsStr::new("/usr/local/bin/kubectl-kubeleak"))), "kubectl kubeleak");
        assert_eq!(invoked_as(Some(OsStr::new("kubectl-kubeleak.exe"))), "kubectl kubeleak");
        assert_eq!(invoked_as(Some(OsStr::new("./target/debug/kubeleak"))), "kubeleak");
        assert_eq!(invoked_as(None), "kubeleak");
    }

    #[test]
    fn the_command_line_is_consistent() {
        command("kubeleak").debug_assert();
        command("kubectl kubeleak").debug_assert();
    }

    #[test]
    fn nothing_recognised_only_without_any_kubectl_output() {
        let a = |t: &str| analysis::analyze_text("t", t);
        assert!(nothing_recognised(&a("")));
        assert!(nothing_recognised(&a("hello\nthis is a shopping list\n")));
        assert!(nothing_recognised(&a("$ ls -l\ntotal 0\n$ kubectl version\nClient Version: v1.30.1\n")));
        // Negative controls: a pod table, a node, a Python tool's output.
        assert!(!nothing_recognised(&a("$ kubectl top pod\nNAME CPU(cores) MEMORY(bytes)\nw-1 1m 301Mi\n")));
        assert!(!nothing_recognised(&a(
            "$ kubectl top node\nNAME CPU(cores) CPU% MEMORY(bytes) MEMORY%\nn-1 100m 5% 2000Mi 25%\n"
        )));
    }
}
