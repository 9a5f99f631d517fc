//! Criterion benches of many replicas (issue 23): 500 pods of one Deployment × 100
//! `kubectl top` samples (`xtask::fleet::Spec::scale`, 50 growing on one node), analyzed
//! whole (`analyze_text`: parsing, detectors, diagnoses, workloads and their verdict),
//! and the fleet view built from the analysis (`fleet::fleets` and one sparkline per
//! replica, as the page's worker does).
//!
//! Run: `cargo bench -p kubeleak-analysis --bench fleet`. Native only: on wasm32 this
//! target is an empty `main`. Results in docs/performance.md.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use criterion::{criterion_group, Criterion, Throughput};
    use kubeleak_analysis::{analyze_text, fleet};

    fn fleet_bench(c: &mut Criterion) {
        let text = xtask::fleet::bundle(&xtask::fleet::Spec::scale(500, 100));
        let mut g = c.benchmark_group("fleet");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("analyze 500 pods x 100 samples", |b| b.iter(|| black_box(analyze_text("b", &text))));
        let a = analyze_text("b", &text);
        assert_eq!(a.workloads.len(), 1);
        assert_eq!(a.workloads[0].replicas.len(), 500);
        g.bench_function("fleet view of 500 replicas (sparklines)", |b| {
            b.iter(|| {
                let fs = fleet::fleets(&a);
                let n: usize = fs
                    .iter()
                    .map(|f| f.replicas.iter().map(|r| fleet::sparkline_svg(f, r, 160, 28).len()).sum::<usize>())
                    .sum();
                black_box(n)
            })
        });
        g.finish();
    }

    fn config() -> Criterion {
        Criterion::default()
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5))
    }

    criterion_group! {
        name = benches;
        config = config();
        targets = fleet_bench
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
