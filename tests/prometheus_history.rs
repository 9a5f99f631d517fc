//! Prometheus history read end to end (issue 18): generated 24 h series of three pods
//! (one leaking and OOM-killed twice, one flat, one GC sawtooth), as the collector's
//! bundle sections, as API JSON pasted alone, and as a Grafana CSV export, give the
//! right findings and no false ones; a warm-up that plateaus and a daily cycle are not
//! leaks either. The committed e2e fixtures are what the generator makes.

use kubeleak_analysis::{analyze_text, chart, Analysis, Kind};
use kubeleak_tests::history::{self, Pod, Shape, Spec};

/// 2026-12-04T10:00:00Z.
const START: i64 = 1_796_378_400;

fn spec(step: i64) -> Spec {
    Spec::new(START, 24.0, step)
}

/// A collector bundle with the two queries as sections (docs/prometheus.md).
fn bundle(pods: &[Pod], spec: &Spec) -> String {
    let end = spec.start + (spec.hours * 3600.0) as i64;
    let url = |q: &str| {
        format!(
            "http://127.0.0.1:9090/api/v1/query_range?query={q}&start={}&end={end}&step={}",
            spec.start, spec.step_secs
        )
    };
    format!(
        "# kubeleak-bundle: 1\n# captured-at: 2026-12-05T10:00:00Z\n# namespace: shop\n\
$ curl -s '{}'  # at 2026-12-05T10:00:01Z\n{}\n\
$ kubectl get --raw '/api/v1/namespaces/monitoring/services/prometheus:9090/proxy/api/v1/query_range?query=kube_pod_container_resource_limits%7Bnamespace%3D%22shop%22%7D&start={}&end={end}&step={}'  # at 2026-12-05T10:00:02Z\n{}\n",
        url("container_memory_working_set_bytes%7Bnamespace%3D%22shop%22%2Ccontainer%21%3D%22%22%7D"),
        history::working_set_json(pods, spec),
        spec.start,
        spec.step_secs,
        history::kube_state_json(pods, spec)
    )
}

fn growth_of<'a>(a: &'a Analysis, pod: &str) -> Vec<&'a kubeleak_analysis::Finding> {
    a.findings.iter().filter(|f| f.kind == Kind::MemoryGrowth && f.pod.as_deref() == Some(pod)).collect()
}

#[test]
fn three_pods_over_24h_give_the_leak_and_no_false_findings() {
    let pods = history::three_pods();
    let a = analyze_text("bundle.txt", &bundle(&pods, &spec(15)));
    assert!(a.model.warnings.is_empty(), "{:#?}", a.model.warnings);
    let leak = a.model.pods.iter().find(|p| p.name == pods[0].name).unwrap();
    assert_eq!(leak.containers.len(), 1, "no container for the pod cgroup or the pause container");
    let app = &leak.containers[0];
    assert_eq!(app.memory_samples.len(), 5761, "24 h at 15 s");
    assert_eq!(app.memory_limit.as_ref().map(|l| l.value), Some(history::LIMIT));
    assert_eq!(app.memory_request.as_ref().map(|l| l.value), Some(history::REQUEST));
    assert_eq!(app.restarts.as_ref().map(|r| r.value), Some(2));
    assert_eq!(app.restarted_at.len(), 2);

    let g = growth_of(&a, pods[0].name);
    assert_eq!(g.len(), 1, "{:#?}", a.findings);
    let f = g[0];
    // 64 MiB/h in each of the 3 runs, killed at ~1 GiB after ~10 h.
    assert!(f.title.contains("grew 64") || f.title.contains("grew 63"), "{}", f.title);
    assert!(f.title.contains("in each of its last 3 runs"), "{}", f.title);
    assert!(f.title.contains("killed at ~1023") || f.title.contains("killed at ~1.0"), "{}", f.title);
    assert!(f.title.contains("after ~9h59m") || f.title.contains("after ~10h"), "{}", f.title);
    assert!(f.detail.contains("The cycle agrees with the slope"), "{}", f.detail);
    // The current run started at 18 h (04:00 the next day): the next kill by the cycle at ~14:00.
    assert!(f.detail.contains("next kill is due around"), "{}", f.detail);
    assert!(f.detail.contains("next kill is due around 2026-12-05 13:59"), "{}", f.detail);
    assert!(a.findings.iter().any(|f| f.kind == Kind::OomKilled && f.pod.as_deref() == Some(pods[0].name)));

    // Negative controls: flat and GC sawtooth, no growth finding.
    for p in &pods[1..] {
        assert!(growth_of(&a, p.name).is_empty(), "{}: {:#?}", p.name, growth_of(&a, p.name));
        assert!(
            !a.findings.iter().any(|f| f.pod.as_deref() == Some(p.name) && f.kind == Kind::OomKilled),
            "{}",
            p.name
        );
    }
}

#[test]
fn a_warm_up_that_plateaus_and_a_daily_cycle_are_not_leaks() {
    let pods = vec![
        Pod { name: "cache-warm-5c9d7-aaaaa", shape: Shape::WarmUp },
        Pod { name: "web-daily-5c9d7-bbbbb", shape: Shape::Daily },
    ];
    for step in [15, 60] {
        let a = analyze_text("bundle.txt", &bundle(&pods, &spec(step)));
        for p in &pods {
            assert!(growth_of(&a, p.name).is_empty(), "{} at {step}s: {:#?}", p.name, a.findings);
        }
    }
    // Positive control: the same pods with the leak beside them.
    let mut with_leak = pods;
    with_leak.push(Pod { name: "worker-leak-x", shape: history::LEAK });
    let a = analyze_text("bundle.txt", &bundle(&with_leak, &spec(60)));
    assert_eq!(growth_of(&a, "worker-leak-x").len(), 1, "{:#?}", a.findings);
}

#[test]
fn a_gc_sawtooth_with_an_unrelated_restart_is_still_not_a_leak() {
    // Negative control for the runs: a deploy restarted the container once; its GC
    // sawtooth falls 144 times, so the falls are collections, not kills.
    let pods = vec![Pod { name: "worker-gc-9", shape: Shape::GcSawtooth }];
    let s = spec(60);
    let restarts = format!(
        "{{\"status\":\"success\",\"data\":{{\"resultType\":\"matrix\",\"result\":[{{\"metric\":{{\"__name__\":\"kube_pod_container_status_restarts_total\",\"container\":\"app\",\"namespace\":\"shop\",\"pod\":\"worker-gc-9\"}},\"values\":[[{},\"0\"],[{},\"1\"]]}}]}}}}",
        START + 3600,
        START + 7200
    );
    let text = format!("{}\n{restarts}\n", history::working_set_json(&pods, &s));
    let a = analyze_text("paste", &text);
    assert_eq!(a.model.pods[0].containers[0].restarted_at.len(), 1);
    assert!(growth_of(&a, "worker-gc-9").is_empty(), "{:#?}", a.findings);
}

#[test]
fn a_grafana_csv_of_memory_only_finds_the_leak_by_its_kills_at_the_limit() {
    let pods = history::three_pods();
    let csv = history::grafana_csv(&pods, &spec(60));
    // With the limit from a describe fragment, the falls from the limit are kills.
    let text = format!("{csv}\n$ kubectl describe pod {} -n shop\nName:         {}\nNamespace:    shop\nContainers:\n  app:\n    Limits:\n      memory:  1Gi\n", pods[0].name, pods[0].name);
    let a = analyze_text("panel.csv", &text);
    let g = growth_of(&a, pods[0].name);
    assert_eq!(g.len(), 1, "{:#?}", a.findings);
    assert!(g[0].title.contains("runs"), "{}", g[0].title);
    for p in &pods[1..] {
        assert!(growth_of(&a, p.name).is_empty(), "{}", p.name);
    }
    // Negative control: without a limit, a sawtooth of memory alone is not called a leak.
    let a = analyze_text("panel.csv", &csv);
    assert!(growth_of(&a, pods[0].name).is_empty(), "{:#?}", growth_of(&a, pods[0].name));
}

#[test]
fn charts_of_24h_are_downsampled_with_the_peaks_before_the_kills_and_the_kills_marked() {
    let pods = history::three_pods();
    let a = analyze_text("bundle.txt", &bundle(&pods, &spec(15)));
    let (axis, series) = chart::memory_series(&a.model);
    assert_eq!(axis, chart::XAxis::Time);
    assert_eq!(series.len(), 3);
    let leak = series.iter().find(|s| s.label.starts_with(pods[0].name)).unwrap();
    assert!(leak.points.len() <= chart::MAX_DRAWN + 20, "{}", leak.points.len());
    assert_eq!(leak.limit, Some(history::LIMIT));
    assert_eq!(leak.request, Some(history::REQUEST));
    // The highest sample before each kill is drawn exactly.
    let full = history::series(history::LEAK, &spec(15));
    for kill in history::kills(&full) {
        let peak = full.iter().rfind(|(t, _)| *t < kill).unwrap();
        assert!(leak.points.iter().any(|p| p.x == peak.0 as f64 && p.bytes == peak.1), "peak before {kill}");
    }
    let kills: Vec<&chart::Marker> = leak.markers.iter().collect();
    assert_eq!(kills.len(), 2, "{kills:?}");
    assert!(kills.last().unwrap().oom && kills.last().unwrap().label == "OOMKilled");
    // The runs the page's table lists: the leak's three, none for the others.
    let runs_of = |name: &str| chart::runs(&a.model.pods.iter().find(|p| p.name == name).unwrap().containers[0]);
    let runs = runs_of(pods[0].name);
    let ends: Vec<chart::RunEnd> = runs.iter().map(|r| r.end).collect();
    assert_eq!(ends, [chart::RunEnd::Drop, chart::RunEnd::Drop, chart::RunEnd::Open]);
    assert!(runs[..2].iter().all(|r| r.peak > (1000 << 20) && r.peak < history::LIMIT + (4 << 20)), "{runs:?}");
    assert_eq!(runs[1].to.duration_since(runs[1].from).as_secs(), 10 * 3600 - 15);
    assert!(runs_of(pods[1].name).is_empty() && runs_of(pods[2].name).is_empty());
    let svg = chart::memory_svg(axis, &series, 800, 400);
    assert!(svg.contains("OOMKilled") && svg.contains("limit 1Gi"), "the chart marks the kill and the limit");
}

/// The e2e test's pastes: the three pods' working set and kube-state-metrics over 24 h
/// at 5 min (two responses one after the other), and a Grafana CSV of a leak over 6 h.
fn e2e_fixtures() -> [(&'static str, String); 2] {
    let pods = history::three_pods();
    let s = Spec::new(START, 24.0, 300);
    let json = format!("{}\n{}\n", history::working_set_json(&pods, &s), history::kube_state_json(&pods, &s));
    let leak = vec![Pod {
        name: "worker-leak-7d9f8b6c5-x2x9k",
        shape: Shape::Leak { base_mib: 200.0, mib_per_hour: 40.0, phase_hours: 0.0 },
    }];
    let csv = history::grafana_csv(&leak, &Spec::new(START, 6.0, 300));
    [("prometheus/query_range-24h.json", json), ("prometheus/grafana-leak-6h.csv", csv)]
}

/// The committed fixtures are the generator's (`KUBELEAK_BLESS=1` rewrites them).
#[test]
fn the_e2e_fixtures_are_what_the_generator_makes() {
    for (name, want) in e2e_fixtures() {
        if std::env::var_os("KUBELEAK_BLESS").is_some() {
            let path = kubeleak_tests::fixture(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &want).unwrap();
        }
        let got = String::from_utf8(kubeleak_tests::read_fixture(name)).unwrap();
        assert!(got == want, "{name} differs from the generator: rerun with KUBELEAK_BLESS=1");
        // And what the page will show for it: a chart and a growth finding.
        let a = analyze_text(name, &got);
        assert!(a.findings.iter().any(|f| f.kind == Kind::MemoryGrowth), "{name}: {:#?}", a.findings);
        assert!(!chart::memory_series(&a.model).1.is_empty());
    }
}

/// `KUBELEAK_HISTORY_BUNDLE=FILE` writes the 24 h × 3 pods × 15 s bundle for the page
/// bench (`node tests/e2e/bench/page-bench.mjs --bundle FILE`, docs/performance.md);
/// without it, checks that the bundle reads without a warning.
#[test]
fn the_page_bench_bundle() {
    let text = bundle(&history::three_pods(), &spec(15));
    if let Some(path) = std::env::var_os("KUBELEAK_HISTORY_BUNDLE") {
        std::fs::write(path, &text).unwrap();
    }
    assert!(text.len() > 1_000_000, "{} bytes", text.len());
}
