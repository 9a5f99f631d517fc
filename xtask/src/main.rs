//! `cargo xtask`: developer tasks.
//!
//! - `cargo xtask gen-bundle --size 200MB -o /tmp/big.txt [--seed N] [--gzip]` writes a
//!   deterministic realistic collector bundle (see `xtask::gen`).
//! - `cargo xtask gen-fleet -o api40.txt [--replicas 40 --growing 6 --samples 8 --minutes 35]`
//!   writes a bundle of one Deployment's replicas, some growing on one node (`xtask::fleet`).
//! - `cargo xtask bench --size 200MB [--threads N] [--page]` generates (or reuses) such
//!   a bundle and its gzip, builds the release `kubeleak`, and times, in ABBA order:
//!   `kubeleak analyze --format json` on 1 and N threads, the runbook's `grep -E` on the
//!   text, the same on the gzip against `zcat | grep -E`, and with `--page` the page's
//!   in-page time (`tests/e2e/bench/page-bench.mjs`) with 1 worker and with N (plain and
//!   gzipped), against native on 1 and N threads; one table with medians, every run,
//!   ratios and peak RSS.
//! - `cargo xtask scaling --size 20MB --factor 10` times `kubeleak analyze` on a bundle
//!   and on one `factor` times larger, and fails when the time grows by more than
//!   1.5 × the size (issue 8: 10× the input may take at most ~15× the time).

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use xtask::gen;

mod man;

#[derive(Parser)]
#[command(name = "xtask", about = "kubeleak developer tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Write a deterministic, realistic collector bundle of about SIZE bytes.
    GenBundle {
        /// Target size of the text, e.g. 200MB, 1GB, 5MiB (before gzip).
        #[arg(long, value_parser = gen::parse_size)]
        size: u64,
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Gzip the output, as the collector does.
        #[arg(long)]
        gzip: bool,
    },
    /// Write a bundle of one Deployment's replicas, some of them growing on one node.
    GenFleet {
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long, default_value_t = 40)]
        replicas: usize,
        #[arg(long, default_value_t = 6)]
        growing: usize,
        #[arg(long, default_value_t = 8)]
        samples: usize,
        #[arg(long, default_value_t = 35)]
        minutes: i64,
    },
    /// Time `kubeleak analyze` against the runbook's grep on one generated bundle.
    Bench {
        #[arg(long, value_parser = gen::parse_size, default_value = "200MB")]
        size: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Bundle to use (generated there if missing); default in the temp directory.
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// Runs of each command; the table shows the median time.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Use this kubeleak binary instead of building the release one.
        #[arg(long)]
        kubeleak: Option<PathBuf>,
        /// N of the "native, N threads" rows (`kubeleak analyze --threads N`).
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Also time the page (`tests/e2e/bench/page-bench.mjs`; build it first with
        /// `trunk build --release`), against native on one thread.
        #[arg(long)]
        page: bool,
    },
    /// Check that analysis time grows linearly: SIZE, then FACTOR × SIZE.
    Scaling {
        #[arg(long, value_parser = gen::parse_size, default_value = "20MB")]
        size: u64,
        #[arg(long, default_value_t = 10)]
        factor: u64,
        #[arg(long, default_value_t = 3)]
        runs: usize,
        #[arg(long)]
        kubeleak: Option<PathBuf>,
    },
    /// Write the man pages of the `kubeleak` command line (clap_mangen; `man.rs`).
    Man {
        /// Directory for kubeleak.1 and one page per subcommand.
        #[arg(short, long, default_value = "target/man")]
        output: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::from(2)
        }
    }
}

type Result<T> = std::result::Result<T, String>;

fn run(cli: Cli) -> Result<()> {
    match cli.task {
        Task::GenBundle { size, output, seed, gzip } => {
            let t = Instant::now();
            let n = write_bundle(&output, size, seed, gzip)?;
            eprintln!(
                "wrote {} ({n} bytes of text, seed {seed}) in {:.1} s",
                output.display(),
                t.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Task::GenFleet { output, replicas, growing, samples, minutes } => {
            let mut spec = xtask::fleet::Spec::api40();
            spec.workloads[0].replicas = replicas;
            spec.workloads[0].growing = growing.min(replicas);
            spec.samples = samples;
            spec.minutes = minutes;
            let text = xtask::fleet::bundle(&spec);
            std::fs::write(&output, &text).map_err(|e| format!("{}: {e}", output.display()))?;
            eprintln!("wrote {} ({} bytes)", output.display(), text.len());
            Ok(())
        }
        Task::Bench { size, seed, bundle, runs, kubeleak, threads, page } => {
            bench(size, seed, bundle, kubeleak, &BenchOpts { runs: runs.max(1), threads, page })
        }
        Task::Scaling { size, factor, runs, kubeleak } => scaling(size, factor.max(2), runs.max(1), kubeleak),
        Task::Man { output } => man::run(&output),
    }
}

/// Median wall time of `kubeleak analyze --format json` on a generated bundle of `size`.
fn time_analyze(kubeleak: &Path, size: u64, runs: usize) -> Result<(u64, Duration)> {
    let path = std::env::temp_dir().join(format!("kubeleak-bench-{size}-seed1.txt"));
    let reuse = std::fs::metadata(&path).map(|m| m.len() >= size && m.len() < size + (1 << 16)).unwrap_or(false);
    if !reuse {
        eprintln!("generating {} ({size} bytes)…", path.display());
        write_bundle(&path, size, 1, false)?;
    }
    let bytes = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
    let file = path.to_str().ok_or("bundle path is not UTF-8")?;
    let mut times = Vec::new();
    for _ in 0..runs {
        times.push(run_devnull(kubeleak, &["analyze", "--format", "json", file], false)?.wall);
    }
    Ok((bytes, median(times)))
}

fn scaling(size: u64, factor: u64, runs: usize, kubeleak: Option<PathBuf>) -> Result<()> {
    let kubeleak = match kubeleak {
        Some(k) => k,
        None => build_kubeleak()?,
    };
    let (small_bytes, small) = time_analyze(&kubeleak, size, runs)?;
    let (big_bytes, big) = time_analyze(&kubeleak, size * factor, runs)?;
    let size_ratio = big_bytes as f64 / small_bytes as f64;
    let time_ratio = big.as_secs_f64() / small.as_secs_f64().max(1e-9);
    println!("| input | kubeleak analyze |\n|---|---|");
    println!("| {:.0} MB | {:.2} s |", small_bytes as f64 / 1e6, small.as_secs_f64());
    println!("| {:.0} MB | {:.2} s |", big_bytes as f64 / 1e6, big.as_secs_f64());
    println!("size ×{size_ratio:.1}, time ×{time_ratio:.1} (allowed: ×{:.1})", 1.5 * size_ratio);
    if time_ratio > 1.5 * size_ratio {
        return Err(format!("analysis time grows faster than the input: ×{time_ratio:.1} for ×{size_ratio:.1}"));
    }
    println!("linear: ok");
    Ok(())
}

fn write_bundle(path: &Path, size: u64, seed: u64, gzip: bool) -> Result<u64> {
    let file = std::fs::File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let opts = gen::Options { size, seed };
    let err = |e: std::io::Error| format!("writing {}: {e}", path.display());
    if gzip {
        let mut gz = flate2::write::GzEncoder::new(w, flate2::Compression::fast());
        let n = gen::generate(&opts, &mut gz).map_err(err)?;
        gz.finish().map_err(err)?.flush().map_err(err)?;
        Ok(n)
    } else {
        let n = gen::generate(&opts, &mut w).map_err(err)?;
        w.flush().map_err(err)?;
        Ok(n)
    }
}

/// Builds the release `kubeleak` and returns the path cargo reports for it.
fn build_kubeleak() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("building the release kubeleak…");
    let out = Command::new(cargo)
        .args(["build", "--release", "-p", "kubeleak", "--message-format=json-render-diagnostics"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err("cargo build --release -p kubeleak failed".into());
    }
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if v["reason"] == "compiler-artifact" && v["target"]["name"] == "kubeleak" {
            if let Some(exe) = v["executable"].as_str() {
                return Ok(PathBuf::from(exe));
            }
        }
    }
    Err("cargo did not report the kubeleak executable".into())
}

struct Run {
    wall: Duration,
    /// Peak resident set size in KiB, when measured.
    max_rss_kib: Option<u64>,
}

/// Runs a command with stdout to /dev/null; wall time, and peak RSS via `/usr/bin/time -v`
/// when present, else via `wait4` (getrusage of exactly that child: `RUSAGE_CHILDREN`
/// would also count the `cargo build` this process ran before).
fn run_devnull(program: &Path, args: &[&str], measure_rss: bool) -> Result<Run> {
    let time_v = Path::new("/usr/bin/time");
    let use_time = measure_rss && time_v.exists();
    let mut cmd = if use_time {
        let mut c = Command::new(time_v);
        c.arg("-v").arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).stdout(Stdio::null()).stdin(Stdio::null());
    cmd.stderr(if use_time { Stdio::piped() } else { Stdio::null() });
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    if use_time {
        let mut err = String::new();
        child.stderr.take().map(|mut s| s.read_to_string(&mut err));
        let status = child.wait().map_err(|e| e.to_string())?;
        let wall = start.elapsed();
        let rss = err
            .lines()
            .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
            .and_then(|v| v.trim().parse().ok());
        // grep exits 1 when nothing matched: still a full pass.
        if !status.success() && status.code() != Some(1) {
            return Err(format!("{} failed ({status}): {err}", program.display()));
        }
        return Ok(Run { wall, max_rss_kib: rss });
    }
    let (status, rss) = wait4(&mut child)?;
    let wall = start.elapsed();
    if !(status == 0 || status == 1) {
        return Err(format!("{} failed (exit {status})", program.display()));
    }
    Ok(Run { wall, max_rss_kib: measure_rss.then_some(rss).flatten() })
}

fn wait4(child: &mut std::process::Child) -> Result<(i32, Option<u64>)> {
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| e.to_string())?;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child `pid`.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    if r != pid {
        return Err(format!("wait4 failed: {}", std::io::Error::last_os_error()));
    }
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    // Linux reports ru_maxrss in KiB.
    Ok((code, u64::try_from(ru.ru_maxrss).ok()))
}

/// `grep` with its output drained through a pipe (what a person reading it gets).
fn run_grep_piped(file: &Path) -> Result<(Duration, u64)> {
    let start = Instant::now();
    let mut child = Command::new("grep")
        .args(["-E", GREP_PATTERN])
        .arg(file)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run grep: {e}"))?;
    let mut lines = 0u64;
    if let Some(out) = child.stdout.take() {
        let mut r = BufReader::with_capacity(1 << 20, out);
        loop {
            let buf = r.fill_buf().map_err(|e| e.to_string())?;
            if buf.is_empty() {
                break;
            }
            lines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
            let n = buf.len();
            r.consume(n);
        }
    }
    child.wait().map_err(|e| e.to_string())?;
    Ok((start.elapsed(), lines))
}

const GREP_PATTERN: &str = "(memory|Memory|ERROR|WARNING|GC|Cache|processed)";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One command the bench times.
struct Timed {
    label: String,
    /// What its ratio is taken against (a label of another row), if anything.
    against: Option<String>,
    run: Box<dyn Fn() -> Result<Run>>,
    times: Vec<Duration>,
    rss: Option<u64>,
}

/// Options of `cargo xtask bench` besides the bundle.
struct BenchOpts {
    runs: usize,
    threads: usize,
    page: bool,
}

fn bench(size: u64, seed: u64, bundle: Option<PathBuf>, kubeleak: Option<PathBuf>, o: &BenchOpts) -> Result<()> {
    let path = bundle.unwrap_or_else(|| std::env::temp_dir().join(format!("kubeleak-bench-{size}-seed{seed}.txt")));
    let reuse = std::fs::metadata(&path).map(|m| m.len() >= size && m.len() < size + (1 << 16)).unwrap_or(false);
    if reuse {
        eprintln!("reusing {}", path.display());
    } else {
        eprintln!("generating {} ({size} bytes, seed {seed})…", path.display());
        write_bundle(&path, size, seed, false)?;
    }
    // The same text gzipped as the collector writes it (default level), made once.
    let gz_path = PathBuf::from(format!("{}.gz", path.display()));
    let gz_fresh = match (std::fs::metadata(&path), std::fs::metadata(&gz_path)) {
        (Ok(t), Ok(g)) => g.modified().ok() >= t.modified().ok(),
        _ => false,
    };
    if !gz_fresh {
        eprintln!("gzipping {} (default level)…", path.display());
        gzip_file(&path, &gz_path)?;
    }
    let bytes = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
    let kubeleak = match kubeleak {
        Some(k) => k,
        None => build_kubeleak()?,
    };
    let file = path.to_str().ok_or("bundle path is not UTF-8")?.to_string();
    let gz = gz_path.to_str().ok_or("bundle path is not UTF-8")?.to_string();
    let grep = PathBuf::from("grep");
    // Warm the page cache so the first run is not a disk benchmark.
    run_devnull(&grep, &["-c", "-E", GREP_PATTERN, &file], false)?;
    run_devnull(&grep, &["-c", "x", &gz], false)?;
    let n = o.threads.max(2);
    let native = |f: &str, threads: usize, rss: bool| -> Box<dyn Fn() -> Result<Run>> {
        let (k, f) = (kubeleak.clone(), f.to_string());
        // `--single-thread` for one thread, nothing for two (the default): builds from
        // before `--threads` can be compared (`--kubeleak`).
        let t = match threads {
            1 => vec!["--single-thread".to_string()],
            2 => Vec::new(),
            n => vec!["--threads".into(), n.to_string()],
        };
        Box::new(move || {
            let mut args: Vec<&str> = vec!["analyze", "--format", "json"];
            args.extend(t.iter().map(String::as_str));
            args.push(&f);
            run_devnull(&k, &args, rss)
        })
    };
    let row = |label: &str, against: Option<&str>, run: Box<dyn Fn() -> Result<Run>>| Timed {
        label: label.to_string(),
        against: against.map(str::to_string),
        run,
        times: Vec::new(),
        rss: None,
    };
    let (grep_pipe, zcat_grep) = ("grep -E | pipe", "zcat | grep -E | pipe");
    let one = "native, 1 thread";
    let mut rows = vec![
        row(one, Some(grep_pipe), native(&file, 1, true)),
        row(&format!("native, {n} threads"), Some(grep_pipe), native(&file, n, true)),
        row(grep_pipe, None, {
            let f = path.clone();
            Box::new(move || run_grep_piped(&f).map(|(wall, _)| Run { wall, max_rss_kib: None }))
        }),
        row("grep -E >/dev/null (stops at the first match)", None, {
            let f = file.clone();
            Box::new(move || run_devnull(&PathBuf::from("grep"), &["-E", GREP_PATTERN, &f], false))
        }),
        row("gz: native, 1 thread", Some(zcat_grep), native(&gz, 1, true)),
        row(&format!("gz: native, {n} threads"), Some(zcat_grep), native(&gz, n, true)),
        row(zcat_grep, None, {
            let f = gz.clone();
            Box::new(move || run_zcat_grep(&f))
        }),
    ];
    if o.page {
        // The page with its analysis worker alone, and with N − 1 digest workers beside it
        // (`?workers=N`), each against native on as many threads.
        let native_n = format!("native, {n} threads");
        for (f, gz, workers) in [(&file, "", 1), (&file, "", n), (&gz, "gz: ", 1), (&gz, "gz: ", n)] {
            let f = f.clone();
            let label = match workers {
                1 => format!("{gz}page, 1 worker (in-page time)"),
                w => format!("{gz}page, {w} workers (in-page time)"),
            };
            let against = match workers {
                1 => format!("{gz}{one}"),
                _ => format!("{gz}{native_n}"),
            };
            rows.push(row(&label, Some(&against), Box::new(move || run_page(&f, workers))));
        }
    }
    // ABBA: the rows in order on even runs, in reverse on odd ones, so no row always
    // follows another (docs/performance.md: a second run is favoured on this machine).
    for i in 0..o.runs {
        let order: Vec<usize> = if i % 2 == 0 { (0..rows.len()).collect() } else { (0..rows.len()).rev().collect() };
        let mut line = format!("run {}:", i + 1);
        for j in order {
            let r = &mut rows[j];
            let got = (r.run)()?;
            r.rss = r.rss.max(got.max_rss_kib);
            r.times.push(got.wall);
            line.push_str(&format!(" {} {:.3} s;", r.label, got.wall.as_secs_f64()));
        }
        eprintln!("{line}");
    }
    let mb = bytes as f64 / 1e6;
    let gz_mb = std::fs::metadata(&gz_path).map_err(|e| e.to_string())?.len() as f64 / 1e6;
    let secs = |d: Duration| d.as_secs_f64().max(1e-9);
    let medians: Vec<Duration> = rows.iter().map(|r| median(r.times.clone())).collect();
    println!(
        "{mb:.0} MB bundle ({gz_mb:.0} MB gzipped); grep pattern -E \"{GREP_PATTERN}\"; median of {} runs, ABBA order",
        o.runs
    );
    println!();
    println!("| command | median | all runs | MB/s of text | ratio | peak RSS |");
    println!("|---|---|---|---|---|---|");
    for (r, m) in rows.iter().zip(&medians) {
        let ratio = r
            .against
            .as_ref()
            .and_then(|a| rows.iter().position(|x| &x.label == a))
            .map_or(String::new(), |k| format!("{:.2}× {}", secs(*m) / secs(medians[k]), cell(&rows[k].label)));
        let all: Vec<String> = r.times.iter().map(|t| format!("{:.2}", t.as_secs_f64())).collect();
        println!(
            "| {} | {:.2} s | {} | {:.0} | {} | {} |",
            cell(&r.label),
            secs(*m),
            all.join(" "),
            mb / secs(*m),
            ratio,
            r.rss.map_or(String::new(), |r| format!("{:.0} MB", r as f64 * 1024.0 / 1e6)),
        );
    }
    Ok(())
}

/// A label as a Markdown table cell.
fn cell(label: &str) -> String {
    label.replace('|', "\\|")
}

/// Gzips a file at the default level (what `kubeleak collect` writes).
fn gzip_file(from: &Path, to: &Path) -> Result<()> {
    let err = |e: std::io::Error| format!("gzipping {}: {e}", from.display());
    let mut r = std::fs::File::open(from).map_err(err)?;
    let w = BufWriter::with_capacity(1 << 20, std::fs::File::create(to).map_err(err)?);
    let mut gz = flate2::write::GzEncoder::new(w, flate2::Compression::default());
    std::io::copy(&mut r, &mut gz).map_err(err)?;
    gz.finish().map_err(err)?.flush().map_err(err)
}

/// `zcat FILE | grep -E …`, grep's output drained through a pipe.
fn run_zcat_grep(file: &str) -> Result<Run> {
    let start = Instant::now();
    let mut zcat =
        Command::new("zcat").arg(file).stdout(Stdio::piped()).spawn().map_err(|e| format!("cannot run zcat: {e}"))?;
    let input = zcat.stdout.take().ok_or("no zcat output")?;
    let mut g = Command::new("grep")
        .args(["-E", GREP_PATTERN])
        .stdin(input)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run grep: {e}"))?;
    if let Some(out) = g.stdout.take() {
        let mut r = BufReader::with_capacity(1 << 20, out);
        loop {
            let buf = r.fill_buf().map_err(|e| e.to_string())?;
            if buf.is_empty() {
                break;
            }
            let n = buf.len();
            r.consume(n);
        }
    }
    g.wait().map_err(|e| e.to_string())?;
    zcat.wait().map_err(|e| e.to_string())?;
    Ok(Run { wall: start.elapsed(), max_rss_kib: None })
}

/// The in-page time of one analysis of `file` with `workers` workers
/// (`tests/e2e/bench/page-bench.mjs`, the page built with `trunk build --release`; `KUBELEAK_DIST` picks another build).
fn run_page(file: &str, workers: usize) -> Result<Run> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new("node")
        .arg(root.join("tests/e2e/bench/page-bench.mjs"))
        .args(["--loads", "1", "--bundle", file, "--workers", &workers.to_string()])
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("page-bench failed: {text}{}", String::from_utf8_lossy(&out.stderr)));
    }
    eprint!("{text}");
    let ms = text
        .lines()
        .find_map(|l| l.strip_prefix("in-page analysis of ").and_then(|r| r.split("  ").nth(1)))
        .and_then(|v| v.trim().split(' ').next())
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or("page-bench printed no in-page time")?;
    Ok(Run { wall: Duration::from_millis(ms), max_rss_kib: None })
}
