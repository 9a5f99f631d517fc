//! Criterion bench of Prometheus history (issue 18): 24 h × 3 pods × 15 s (5,761
//! samples a pod, plus the pod cgroup and pause container series and kube-state-metrics
//! over the same range) as a collector bundle, through the whole `analyze` (read the
//! JSON, cut the runs, fit, findings) and the chart data (`memory_series`, LTTB).
//!
//! Run: `cargo bench -p kubeleak-analysis --bench history`. Native only: on wasm32 this
//! target is an empty `main`. The number is recorded in docs/performance.md.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;

    use criterion::{criterion_group, Criterion, Throughput};
    use kubeleak_analysis::{analyze_text, chart};
    use xtask::history::{self, Spec};

    /// 2026-12-04T10:00:00Z.
    const START: i64 = 1_796_378_400;

    pub fn bundle() -> String {
        let pods = history::three_pods();
        let s = Spec::new(START, 24.0, 15);
        format!(
            "# kubeleak-bundle: 1\n# namespace: shop\n$ curl -s 'http://127.0.0.1:9090/api/v1/query_range?query=container_memory_working_set_bytes&start={START}&end={}&step=15'  # at 2026-12-05T10:00:01Z\n{}\n$ curl -s 'http://127.0.0.1:9090/api/v1/query_range?query=kube_pod_container_resource_limits&start={START}&end={}&step=15'  # at 2026-12-05T10:00:02Z\n{}\n",
            START + 86_400,
            history::working_set_json(&pods, &s),
            START + 86_400,
            history::kube_state_json(&pods, &s)
        )
    }

    fn history_24h(c: &mut Criterion) {
        let text = bundle();
        let mut g = c.benchmark_group("history");
        g.sample_size(10);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("analyze 24h x 3 pods x 15s", |b| b.iter(|| black_box(analyze_text("bundle", &text))));
        let a = analyze_text("bundle", &text);
        g.bench_function("memory_series (trend + LTTB)", |b| b.iter(|| black_box(chart::memory_series(&a.model))));
        let (axis, series) = chart::memory_series(&a.model);
        g.bench_function("memory_svg", |b| b.iter(|| black_box(chart::memory_svg(axis, &series, 900, 420))));
        g.finish();
    }

    criterion_group!(benches, history_24h);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
