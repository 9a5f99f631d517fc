//! Criterion benches of the analysis hot paths, on bundles from the deterministic
//! generator (`cargo xtask gen-bundle`): line splitting and cleaning, section detection
//! (`split::split`, the product's splitter), quantity parsing, `top` parsing, and the whole `analyze`.
//!
//! Run: `cargo bench -p kubeleak-analysis` (or `-- split` for one group). Throughput is
//! reported in input bytes. Native only: on wasm32 this target is an empty `main`.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use criterion::{criterion_group, BatchSize, Criterion, Throughput};
    use kubeleak_analysis::model::{Model, SectionKind};
    use kubeleak_analysis::{input, parse, quantity, sections, split, Input};

    /// Size of the bundle for the line, section and analyze benches.
    const BUNDLE_BYTES: u64 = 10_000_000;

    fn bundle(size: u64) -> String {
        xtask::gen::generate_string(&xtask::gen::Options { size, seed: 1 })
    }

    fn numbered(text: &str) -> Vec<(u32, &str)> {
        text.split('\n').enumerate().map(|(i, l)| (i as u32 + 1, l)).collect()
    }

    fn lines(c: &mut Criterion) {
        let text = bundle(BUNDLE_BYTES);
        // The same text as a terminal paste: CRLF line ends and coloured prompts.
        let pasted = text
            .split('\n')
            .map(|l| if l.starts_with("$ ") { format!("\x1b[32m{l}\x1b[0m\r") } else { format!("{l}\r") })
            .collect::<Vec<_>>()
            .join("\n");
        let mut g = c.benchmark_group("lines");
        g.throughput(Throughput::Bytes(text.len() as u64));
        // What `analyze` did before `sections::lines`: `str::split`, then `clean_line`.
        g.bench_function("split+clean (collector bundle)", |b| {
            b.iter(|| {
                let mut n = 0usize;
                for l in black_box(&text).split('\n') {
                    n += sections::clean_line(l).len();
                }
                n
            })
        });
        g.bench_function("sections::lines (collector bundle)", |b| {
            b.iter(|| sections::lines(black_box(&text)).map(|l| l.len()).sum::<usize>())
        });
        g.throughput(Throughput::Bytes(pasted.len() as u64));
        g.bench_function("sections::lines (CRLF, ANSI prompts)", |b| {
            b.iter(|| sections::lines(black_box(&pasted)).map(|l| l.len()).sum::<usize>())
        });
        g.bench_function("split+clean (CRLF, ANSI prompts)", |b| {
            b.iter(|| {
                let mut n = 0usize;
                for l in black_box(&pasted).split('\n') {
                    n += sections::clean_line(l).len();
                }
                n
            })
        });
        g.finish();
    }

    fn split(c: &mut Criterion) {
        let text = bundle(BUNDLE_BYTES);
        let lines = numbered(&text);
        // The log part alone, without prompts: every line goes through shape detection.
        let bare_log: String =
            text.lines().filter(|l| l.starts_with("2026-")).take(50_000).collect::<Vec<_>>().join("\n");
        let bare_lines = numbered(&bare_log);
        let mut g = c.benchmark_group("sections");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("split (collector bundle)", |b| {
            b.iter(|| split::split(0, "bundle.txt", black_box(&lines)).sections.len())
        });
        g.throughput(Throughput::Bytes(bare_log.len() as u64));
        g.bench_function("split (bare log, no prompts)", |b| {
            b.iter(|| split::split(0, "paste", black_box(&bare_lines)).sections.len())
        });
        g.finish();
    }

    fn quantities(c: &mut Criterion) {
        let values = [
            "301Mi",
            "212m",
            "1Gi",
            "123456789",
            "1500M",
            "0.5Gi",
            "900Ki",
            "2e3",
            "512Mi",
            "64Mi",
            "1.5G",
            "<unknown>",
        ];
        let mut g = c.benchmark_group("quantity");
        g.throughput(Throughput::Elements(values.len() as u64));
        g.bench_function("parse_bytes", |b| {
            b.iter(|| values.iter().filter_map(|v| quantity::parse_bytes(black_box(v))).fold(0u64, u64::wrapping_add))
        });
        g.finish();
    }

    fn top(c: &mut Criterion) {
        // 120 samples of 60 pods (100 containers): the top part of a 1 GB bundle.
        let text = xtask::gen::top_samples(1, 1_000_000_000, 120);
        let lines = numbered(&text);
        let split = split::split(0, "bundle.txt", &lines);
        let tops: Vec<_> = split.sections.iter().filter(|s| s.kind == SectionKind::TopPod).collect();
        let rows: usize = tops.iter().map(|s| s.lines.len()).sum();
        let mut g = c.benchmark_group("top");
        g.throughput(Throughput::Elements(rows as u64));
        g.bench_function("parse top pod --containers", |b| {
            b.iter_batched(
                Model::default,
                |mut model| {
                    for (seq, s) in tops.iter().enumerate() {
                        let ctx = parse::SectionContext { default_namespace: Some("shop".into()), seq: seq as u32 };
                        parse::top::parse(s, &ctx, &mut model);
                    }
                    model
                },
                BatchSize::SmallInput,
            )
        });
        g.finish();
    }

    fn analyze(c: &mut Criterion) {
        let text = bundle(BUNDLE_BYTES);
        let mut g = c.benchmark_group("analyze");
        g.sample_size(10).measurement_time(Duration::from_secs(10));
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("analyze 10 MB bundle", |b| {
            b.iter(|| {
                let inputs = [Input { name: "bundle.txt", bytes: black_box(text.as_bytes()) }];
                kubeleak_analysis::analyze(&inputs, &input::Limits::default())
            })
        });
        // The streaming path as the CLI and the page's worker use it: 64 KiB chunks, and
        // no full text kept (as for any input above `Limits::keep_text_bytes`).
        g.bench_function("Analyzer, 64 KiB chunks, 10 MB bundle", |b| {
            b.iter(|| {
                let limits = input::Limits { keep_text_bytes: 0, ..input::Limits::default() };
                let mut a = kubeleak_analysis::Analyzer::new(limits);
                a.begin("bundle.txt");
                for chunk in black_box(text.as_bytes()).chunks(64 << 10) {
                    a.feed(chunk);
                }
                a.end();
                a.finish()
            })
        });
        g.finish();
    }

    /// The template miner alone, over the bundle's log lines.
    fn logmine(c: &mut Criterion) {
        let text = bundle(BUNDLE_BYTES);
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("20")).collect();
        let mut g = c.benchmark_group("logmine");
        g.throughput(Throughput::Elements(lines.len() as u64));
        g.bench_function("Miner::push, log lines of a 10 MB bundle", |b| {
            b.iter(|| {
                let mut m = kubeleak_analysis::logmine::Miner::new(kubeleak_analysis::logmine::MinerLimits::default());
                for (i, l) in lines.iter().enumerate() {
                    let origin = kubeleak_analysis::model::Origin { source: 0, line: i as u32 + 1 };
                    m.push(None, black_box(l), origin);
                }
                m
            })
        });
        g.finish();
    }

    fn config() -> Criterion {
        // Short runs: the machine is small and shared; callgrind gives the stable numbers.
        Criterion::default()
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4))
    }

    criterion_group! {
        name = benches;
        config = config();
        targets = lines, split, quantities, top, analyze, logmine
    }

    pub fn main() {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}
