//! Scenarios as data: realistic bundles generated as text by the builder in
//! `scenario/mod.rs`, one per memory problem (in several wordings and log formats:
//! stdlib logging, JSON, logfmt, free text) and the negative controls (bounded LRU
//! plateau, sawtooth, flat memory with a growing `processed total`, no limit but flat).
//! Each scenario states the finding kinds it must produce and the kinds it must not
//! produce at warning or above. (There are no info findings saying "no growth" any
//! more, issue 17: a `memory-growth` finding needs evidence of growth.)
//!
//! Every scenario also checks the general promises: each finding has evidence lines,
//! and no two findings share kind, pod, container and title.
//!
//! `SHOW_FINDINGS=1 cargo test -p kubeleak-tests --test scenarios -- --nocapture` prints
//! what each scenario found.
//!

#[path = "scenario/mod.rs"]
mod scenario;

use jiff::SignedDuration;
use kubeleak_analysis::{analyze_text, Finding, Severity};
use scenario::*;

const POD: &str = "worker-7d9f8b6c5-x2x9k";

fn dump(f: &[Finding]) -> String {
    f.iter()
        .map(|f| format!("  {:?} {} {:?}: {}", f.severity, f.kind, f.container, f.title))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Analyzes `text`; every kind of `must` is found, none of `must_not` at warning or above.
fn check(name: &str, text: &str, must: &[&str], must_not: &[&str]) -> Vec<Finding> {
    let a = analyze_text(name, text);
    let f = a.findings;
    if std::env::var_os("SHOW_FINDINGS").is_some() {
        eprintln!("== {name}\n{}", dump(&f));
    }
    for k in must {
        assert!(
            f.iter().any(|x| x.kind == *k),
            "{name}: expected a {k} finding, got:\n{}\n--- bundle ---\n{text}",
            dump(&f)
        );
    }
    for k in must_not {
        assert!(
            !f.iter().any(|x| x.kind == *k && x.severity >= Severity::Warning),
            "{name}: unexpected {k} finding:\n{}",
            dump(&f)
        );
    }
    for (i, x) in f.iter().enumerate() {
        assert!(!x.evidence.is_empty(), "{name}: finding without evidence: {}", x.title);
        for y in &f[i + 1..] {
            assert!(
                !(x.kind == y.kind && x.pod == y.pod && x.container == y.container && x.title == y.title),
                "{name}: duplicate finding {}",
                x.title
            );
        }
    }
    // Sorted: severity, then time to the limit.
    for w in f.windows(2) {
        assert!(w[0].severity >= w[1].severity, "{name}: not sorted by severity:\n{}", dump(&f));
    }
    f
}

fn one<'a>(f: &'a [Finding], kind: &str) -> &'a Finding {
    f.iter().find(|x| x.kind == kind).unwrap_or_else(|| panic!("no {kind}:\n{}", dump(f)))
}

const LEAK_KINDS: [&str; 4] =
    ["cache-without-eviction", "unbounded-collection", "large-object-retention", "global-state-accumulation"];

// ---------------------------------------------------------------------------
// Memory samples only (`top` is parsed already)
// ---------------------------------------------------------------------------

#[test]
fn top_only_steady_growth() {
    let mut b = Bundle::new("shop");
    b.top(&[(POD, "worker", &[300, 312, 323, 335, 347, 358, 370, 382])], 10);
    let f = check("growth", &b.text(), &["memory-growth"], &[]);
    let g = one(&f, "memory-growth");
    assert_eq!(g.severity, Severity::Warning);
    assert!(g.title.starts_with("worker grew 70 MiB/h"), "{}", g.title);
}

#[test]
fn top_only_sawtooth_is_not_growth() {
    let mut b = Bundle::new("shop");
    b.top(&[(POD, "worker", &[210, 280, 350, 220, 290, 360, 215, 285, 355])], 5);
    let f = check("sawtooth", &b.text(), &[], &["memory-growth"]);
    // No "memory-growth" finding at all, not even an info one saying "not growth" (issue 17).
    assert!(!f.iter().any(|x| x.kind == "memory-growth"), "{}", dump(&f));
}

#[test]
fn top_only_plateau_is_not_growth() {
    let mut b = Bundle::new("shop");
    b.top(&[(POD, "worker", &[180, 240, 300, 340, 352, 355, 354, 356, 355, 355])], 10);
    let f = check("plateau", &b.text(), &[], &["memory-growth"]);
    // No "memory-growth" finding at all, not even an info one saying "not a leak" (issue 17).
    assert!(!f.iter().any(|x| x.kind == "memory-growth"), "{}", dump(&f));
}

#[test]
fn top_only_one_spike_is_not_growth() {
    let mut b = Bundle::new("shop");
    b.top(&[(POD, "worker", &[300, 302, 301, 460, 303, 301, 302, 300])], 10);
    check("spike", &b.text(), &[], &["memory-growth"]);
}

// ---------------------------------------------------------------------------
// Pod spec and status (describe / get pods / events)
// ---------------------------------------------------------------------------

fn oom_pod() -> Pod {
    Pod::new(POD)
        .status("CrashLoopBackOff")
        .container(
            C::new("worker")
                .limit("512Mi")
                .request("256Mi")
                .waiting("CrashLoopBackOff")
                .restarts(4)
                .last(Term {
                    reason: "OOMKilled",
                    exit: 137,
                    started: at_min(-72),
                    finished: at_min(-1),
                }),
        )
        .event(
            Ev::warning(
                "BackOff",
                &format!("Back-off restarting failed container worker in pod {POD}_shop(0b6f1c55-3f0e-4d1e-9a57-2f1f4e0c7d21)"),
            )
            .repeat(9, SignedDuration::from_hours(4)),
        )
}

#[test]
fn oom_killed_crash_loop_with_cycle_rate() {
    let pod = oom_pod();
    let mut b = Bundle::new("shop");
    b.get_pods(&[&pod]).describe(&[&pod]).events(&[&pod], &[]);
    b.top(&[(POD, "worker", &[97, 99])], 2);
    // Issue 17: the OOM cycle (limit / run time) is growth only when something in a run
    // shows growth. Here the two samples come after the kill (the container waits in
    // back-off) and no log series grows, so there is no `memory-growth` (the old
    // expectation of a cycle rate was wrong), and a 1h11m run is not `memory-at-start`.
    let f = check("oom", &b.text(), &["oom-killed", "crash-loop"], &["frequent-restarts", "memory-growth"]);
    assert!(!f.iter().any(|x| x.kind == "memory-growth" || x.kind == "memory-at-start"), "{}", dump(&f));
    let o = one(&f, "oom-killed");
    assert_eq!(o.severity, Severity::Critical);
    assert!(o.title.contains("OOMKilled (exit 137) at its 512Mi limit"), "{}", o.title);
    assert!(o.title.contains("4 restarts"), "{}", o.title);
    assert!(o.detail.contains("It ran 1h11m"), "{}", o.detail);
}

#[test]
fn oom_killing_node_event() {
    let pod = Pod::new(POD).container(C::new("worker").limit("512Mi"));
    let mut node_ev = Ev::warning(
        "OOMKilling",
        "Memory cgroup out of memory: Killed process 28114 (python) total-vm:912340kB, anon-rss:523880kB, file-rss:10240kB, shmem-rss:0kB, UID:1000 pgtables:1340kB oom_score_adj:999",
    );
    node_ev.object = "node/gke-prod-pool-1-a1".into();
    node_ev.from = "kernel-monitor";
    let mut b = Bundle::new("shop");
    b.describe(&[&pod]).events(&[&pod], &[node_ev]);
    check("oom-event", &b.text(), &["oom-killed"], &[]);
}

#[test]
fn evicted_with_node_message() {
    let msg = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 52340Ki. Container worker was using 1462Mi, request is 256Mi, has larger consumption of memory.";
    let pod =
        Pod::new(POD).container(C::new("worker").request("256Mi")).evicted(msg).event(Ev::warning("Evicted", msg));
    let mut b = Bundle::new("shop");
    b.get_pods(&[&pod]).describe(&[&pod]).events(&[&pod], &[]);
    let f = check("evicted", &b.text(), &["evicted", "no-memory-limit"], &["crash-loop"]);
    let e = one(&f, "evicted");
    assert_eq!(e.title, format!("pod {POD} was evicted: The node was low on resource: memory"));
    assert!(e.detail.contains("Container worker was using 1462Mi"), "{}", e.detail);
}

#[test]
fn near_limit_flat_with_low_request() {
    let pod = Pod::new(POD).container(C::new("worker").limit("512Mi").request("128Mi"));
    let mut b = Bundle::new("shop");
    b.describe(&[&pod]);
    b.top(&[(POD, "worker", &[468, 470, 469, 471, 470, 470])], 5);
    let f = check("near-limit", &b.text(), &["memory-near-limit"], &["memory-growth", "no-memory-limit"]);
    let n = one(&f, "memory-near-limit");
    assert_eq!(n.title, "worker uses 470Mi of its 512Mi limit (92 %)");
    assert!(n.detail.contains("request (128Mi) is far below"), "{}", n.detail);
}

#[test]
fn no_limit_but_flat() {
    let pod = Pod::new(POD).container(C::new("worker").request("256Mi"));
    let mut b = Bundle::new("shop");
    b.describe(&[&pod]);
    b.top(&[(POD, "worker", &[301, 300, 302, 301, 300, 301])], 10);
    let f = check(
        "no-limit-flat",
        &b.text(),
        &["no-memory-limit"],
        &["memory-growth", "memory-near-limit", "no-memory-limit"],
    );
    assert_eq!(one(&f, "no-memory-limit").severity, Severity::Info);
}

#[test]
fn growth_reaches_limit_soon() {
    let pod = Pod::new(POD).container(C::new("worker").limit("512Mi").request("256Mi"));
    let mut b = Bundle::new("shop");
    b.describe(&[&pod]);
    b.top(&[(POD, "worker", &[300, 312, 323, 335, 347, 358, 370, 382])], 10);
    let f = check("growth-limit", &b.text(), &["memory-growth"], &[]);
    let g = one(&f, "memory-growth");
    assert!(
        g.title.starts_with("worker grew 70 MiB/h; at this rate it reaches its 512Mi limit in ~1h5"),
        "{}",
        g.title
    );
    assert_eq!(g.severity, Severity::Critical);
}

#[test]
fn frequent_restarts_without_oom() {
    let pod = Pod::new(POD).container(C::new("worker").limit("512Mi").restarts(6).last(Term {
        reason: "Error",
        exit: 1,
        started: at_min(-30),
        finished: at_min(-12),
    }));
    let mut b = Bundle::new("shop");
    b.get_pods(&[&pod]).describe(&[&pod]);
    check("restarts", &b.text(), &["frequent-restarts"], &["oom-killed", "crash-loop", "memory-growth"]);
}

#[test]
fn oom_kill_during_sampling_is_growth_not_sawtooth() {
    let pod = Pod::new(POD).container(
        C::new("worker").limit("512Mi").request("256Mi").running_since(at_min(40)).restarts(3).last(Term {
            reason: "OOMKilled",
            exit: 137,
            started: at_min(-120),
            finished: at_min(39),
        }),
    );
    let mut b = Bundle::new("shop");
    b.top(&[(POD, "worker", &[330, 370, 410, 450, 490, 120, 160, 200, 240])], 10);
    b.describe(&[&pod]);
    let f = check("oom-sawtooth", &b.text(), &["memory-growth", "oom-killed"], &[]);
    let g = one(&f, "memory-growth");
    assert!(g.title.starts_with("worker grew 240 MiB/h in each of its last 2 runs"), "{}", g.title);
    assert_eq!(g.severity, Severity::Critical);
}

#[test]
fn get_pods_json_oom_and_near_limit() {
    let pod = oom_pod();
    let other = Pod::new("worker-7d9f8b6c5-q8r2m").container(C::new("worker").limit("512Mi").request("128Mi"));
    let mut b = Bundle::new("shop");
    b.get_pods_json(&[&pod, &other]);
    b.top(&[(POD, "worker", &[97, 99]), ("worker-7d9f8b6c5-q8r2m", "worker", &[466, 470])], 2);
    let f = check("pods-json", &b.text(), &["oom-killed", "crash-loop", "memory-near-limit"], &["frequent-restarts"]);
    let o = one(&f, "oom-killed");
    assert!(o.title.starts_with("worker was OOMKilled (exit 137) at its 512Mi limit"), "{}", o.title);
    let n = one(&f, "memory-near-limit");
    assert_eq!(n.pod.as_deref(), Some("worker-7d9f8b6c5-q8r2m"));
    assert!(n.detail.contains("request (128Mi) is far below"), "{}", n.detail);
}

#[test]
fn get_pods_alone_statuses() {
    let pods = [
        Pod::new("worker-7d9f8b6c5-aaaaa").status("OOMKilled").container(C::new("worker").restarts(3).last(Term {
            reason: "OOMKilled",
            exit: 137,
            started: at_min(-40),
            finished: at_min(-1),
        })),
        Pod::new("worker-7d9f8b6c5-bbbbb").container(C::new("worker")).evicted("The node was low on resource: memory."),
        Pod::new("worker-7d9f8b6c5-ccccc").status("CrashLoopBackOff").container(
            C::new("worker").waiting("CrashLoopBackOff").restarts(9).last(Term {
                reason: "Error",
                exit: 1,
                started: at_min(-3),
                finished: at_min(-2),
            }),
        ),
        Pod::new("worker-7d9f8b6c5-ddddd").container(C::new("worker").restarts(7).last(Term {
            reason: "Error",
            exit: 1,
            started: at_min(-50),
            finished: at_min(-40),
        })),
        Pod::new("worker-7d9f8b6c5-eeeee").container(C::new("worker")),
    ];
    let refs: Vec<&Pod> = pods.iter().collect();
    let mut b = Bundle::new("shop");
    b.get_pods(&refs);
    let f =
        check("get-pods", &b.text(), &["oom-killed", "evicted", "crash-loop", "frequent-restarts"], &["memory-growth"]);
    let of = |pod: &str| f.iter().filter(|x| x.pod.as_deref() == Some(pod)).map(|x| x.kind).collect::<Vec<_>>();
    assert_eq!(of("worker-7d9f8b6c5-aaaaa"), vec!["oom-killed"]);
    assert_eq!(of("worker-7d9f8b6c5-bbbbb"), vec!["evicted"]);
    assert_eq!(of("worker-7d9f8b6c5-ccccc"), vec!["crash-loop"]);
    assert_eq!(of("worker-7d9f8b6c5-ddddd"), vec!["frequent-restarts"]);
    assert!(of("worker-7d9f8b6c5-eeeee").is_empty());
    assert_eq!(one(&f, "oom-killed").title, "pod worker-7d9f8b6c5-aaaaa was OOMKilled; 3 restarts");
}

// ---------------------------------------------------------------------------
// Logs: leak patterns in several wordings and formats
// ---------------------------------------------------------------------------

/// A container whose memory grows, logging `make(fmt, t, i)` every 5 minutes from
/// 60 minutes before capture to the end of sampling.
fn leak_bundle(fmt: Fmt, make: &dyn Fn(Fmt, jiff::Timestamp, usize) -> String) -> String {
    let pod = Pod::new(POD).container(C::new("worker").limit("1Gi").request("512Mi"));
    let lines: Vec<_> = times(-60, 300, 28).into_iter().enumerate().map(|(i, t)| (t, make(fmt, t, i))).collect();
    let mut b = Bundle::new("shop");
    b.describe(&[&pod]);
    b.top(&[(POD, "worker", &[400, 415, 431, 446, 462, 477, 493, 508])], 10);
    b.logs(POD, "worker", false, &with_noise(fmt, lines));
    b.text()
}

fn all_formats() -> [Fmt; 4] {
    [Fmt::Stdlib, Fmt::Json, Fmt::Logfmt, Fmt::Free]
}

fn expect_pattern(kind: &str, wording: &dyn Fn(Fmt, jiff::Timestamp, usize) -> String) {
    for fmt in all_formats() {
        let text = leak_bundle(fmt, wording);
        let others: Vec<&str> = LEAK_KINDS.iter().copied().filter(|k| *k != kind).collect();
        let f = check(&format!("{kind} {fmt:?}"), &text, &[kind, "memory-growth"], &others);
        let p = one(&f, kind);
        assert!(p.detail.contains("Spearman"), "{fmt:?}: {}", p.detail);
        assert!(p.evidence.len() >= 3, "{fmt:?}: {:?}", p.evidence);
    }
}

#[test]
fn cache_without_eviction_in_four_formats() {
    expect_pattern("cache-without-eviction", &|fmt, t, i| {
        let n = 1200 + 850 * i;
        match fmt {
            Fmt::Stdlib => line(fmt, t, "INFO", "worker.thumbs", &format!("thumbnail cache size={n} entries"), &[]),
            Fmt::Json => line(fmt, t, "INFO", "worker.pricing", "memo table grew", &[("memo_entries", n.to_string())]),
            Fmt::Logfmt => line(fmt, t, "INFO", "worker.geo", "lru stats", &[("cached_items", n.to_string())]),
            Fmt::Free => line(fmt, t, "", "", &format!("Cached {n} rendered templates so far"), &[]),
        }
    });
}

#[test]
fn unbounded_collection_in_four_formats() {
    expect_pattern("unbounded-collection", &|fmt, t, i| {
        let n = 40 + 95 * i;
        match fmt {
            Fmt::Stdlib => line(fmt, t, "INFO", "worker.jobs", &format!("pending jobs in queue: {n}"), &[]),
            Fmt::Json => {
                line(fmt, t, "INFO", "worker.audit", "audit history appended", &[("history_len", n.to_string())])
            }
            Fmt::Logfmt => line(fmt, t, "INFO", "worker.export", "flush skipped", &[("buffer_len", n.to_string())]),
            Fmt::Free => line(fmt, t, "", "", &format!("results list now has {n} items"), &[]),
        }
    });
}

#[test]
fn large_object_retention_in_four_formats() {
    expect_pattern("large-object-retention", &|fmt, t, i| {
        let mb = 12.5 + 9.0 * i as f64;
        match fmt {
            Fmt::Stdlib => {
                line(fmt, t, "INFO", "worker.fetch", &format!("kept {mb:.1} MB of response bodies in memory"), &[])
            }
            Fmt::Json => line(
                fmt,
                t,
                "INFO",
                "worker.ingest",
                "documents loaded",
                &[("retained_bytes", format!("{}", (mb * 1048576.0) as u64))],
            ),
            Fmt::Logfmt => line(
                fmt,
                t,
                "INFO",
                "worker.video",
                "frame batch done",
                &[("stored_frames", format!("{}", 30 * (i + 1)))],
            ),
            Fmt::Free => line(fmt, t, "", "", &format!("holding {mb:.1}MB of payloads after batch {}", 1000 + i), &[]),
        }
    });
}

#[test]
fn global_state_accumulation_in_four_formats() {
    expect_pattern("global-state-accumulation", &|fmt, t, i| {
        let n = 300 + 410 * i;
        match fmt {
            Fmt::Stdlib => {
                line(fmt, t, "INFO", "worker.events", &format!("handler registry now holds {n} callbacks"), &[])
            }
            Fmt::Json => line(fmt, t, "INFO", "worker.dedup", "dedup check", &[("seen_ids", n.to_string())]),
            Fmt::Logfmt => line(fmt, t, "INFO", "worker.pubsub", "subscribe", &[("global_subscribers", n.to_string())]),
            Fmt::Free => line(fmt, t, "", "", &format!("singleton session pool: {n} sessions"), &[]),
        }
    });
}

#[test]
fn circular_references_from_gc_debug_and_resource_warnings() {
    let pod = Pod::new(POD).container(C::new("worker").limit("1Gi"));
    let mut lines = Vec::new();
    for (i, t) in times(-30, 60, 12).into_iter().enumerate() {
        lines.push((t, format!("gc: uncollectable <Node 0x7f3a2c1d{:04x}>", i * 48)));
        if i % 3 == 0 {
            lines.push((
                t,
                "/app/worker/client.py:41: ResourceWarning: unclosed <socket.socket fd=7, family=2, type=1, proto=6>"
                    .to_string(),
            ));
        }
    }
    let mut b = Bundle::new("shop");
    b.describe(&[&pod]);
    b.logs(POD, "worker", false, &lines);
    let f = check("gc", &b.text(), &["circular-references"], &LEAK_KINDS);
    assert!(one(&f, "circular-references").title.contains("12 uncollectable objects (Node ×12)"));
}

#[test]
fn memory_errors_gunicorn_celery_traceback() {
    let pod = Pod::new(POD).container(C::new("worker").limit("1Gi"));
    let t = times(-20, 60, 6);
    let lines = vec![
        (t[0], format!("[{}] [1] [INFO] Booting worker with pid: 8", t[0].strftime("%Y-%m-%d %H:%M:%S +0000"))),
        (t[1], format!("[{}] [1] [ERROR] Worker (pid:8) was sent SIGKILL! Perhaps out of memory?", t[1].strftime("%Y-%m-%d %H:%M:%S +0000"))),
        (t[2], "[2026-11-24 09:42:00,001: ERROR/MainProcess] Process 'ForkPoolWorker-3' pid:41 exited with 'signal 9 (SIGKILL)'".to_string()),
        (t[3], "[2026-11-24 09:43:00,002: ERROR/MainProcess] Task handler raised error: WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL) Job: 17.')".to_string()),
        (t[4], "Traceback (most recent call last):\n  File \"/app/worker/report.py\", line 88, in build\n    rows = list(cursor)\nMemoryError".to_string()),
    ];
    let mut b = Bundle::new("shop");
    b.describe(&[&pod]);
    b.logs(POD, "worker", false, &lines);
    let f = check("memory-error", &b.text(), &["memory-error"], &LEAK_KINDS);
    let m = one(&f, "memory-error");
    assert!(m.title.contains("gunicorn worker sent SIGKILL"), "{}", m.title);
    assert!(m.title.contains("celery workers lost to signal 9"), "{}", m.title);
    assert!(m.title.contains("MemoryError"), "{}", m.title);
}

// ---------------------------------------------------------------------------
// Negative controls with logs
// ---------------------------------------------------------------------------

#[test]
fn bounded_lru_plateau_is_not_a_leak() {
    for fmt in all_formats() {
        let pod = Pod::new(POD).container(C::new("worker").limit("1Gi"));
        let lines: Vec<_> = times(-60, 300, 28)
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let n = (250 * (i + 1)).min(2048);
                line(
                    fmt,
                    t,
                    "INFO",
                    "worker.geo",
                    "lru stats",
                    &[("cache_size", n.to_string()), ("maxsize", "2048".into())],
                )
            })
            .zip(times(-60, 300, 28))
            .map(|(l, t)| (t, l))
            .collect();
        let mut b = Bundle::new("shop");
        b.describe(&[&pod]);
        b.top(&[(POD, "worker", &[410, 411, 410, 412, 411, 410, 411, 412])], 10);
        b.logs(POD, "worker", false, &with_noise(fmt, lines));
        check(&format!("lru plateau {fmt:?}"), &b.text(), &[], &["memory-growth", "cache-without-eviction"]);
    }
}

#[test]
fn processed_total_with_flat_memory_is_not_a_leak() {
    for fmt in all_formats() {
        let pod = Pod::new(POD).container(C::new("worker").limit("1Gi"));
        let lines: Vec<_> = times(-60, 300, 28)
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                (t, line(fmt, t, "INFO", "worker.jobs", &format!("processed total: {}", 5000 * (i + 1)), &[]))
            })
            .collect();
        let mut b = Bundle::new("shop");
        b.describe(&[&pod]);
        b.top(&[(POD, "worker", &[300, 302, 301, 300, 303, 301, 302, 300])], 10);
        b.logs(POD, "worker", false, &with_noise(fmt, lines));
        let mut bad = vec!["memory-growth"];
        bad.extend(LEAK_KINDS);
        check(&format!("processed total {fmt:?}"), &b.text(), &[], &bad);
    }
}

#[test]
fn batch_buffer_sawtooth_is_not_a_leak() {
    let pod = Pod::new(POD).container(C::new("worker").limit("1Gi"));
    let lines: Vec<_> = times(-60, 300, 28)
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            (
                t,
                line(
                    Fmt::Stdlib,
                    t,
                    "INFO",
                    "worker.batch",
                    &format!("batch buffer size={}", 100 + 400 * (i % 6)),
                    &[],
                ),
            )
        })
        .collect();
    let mut b = Bundle::new("shop");
    b.describe(&[&pod]);
    b.top(&[(POD, "worker", &[300, 360, 420, 310, 365, 425, 305, 362])], 10);
    b.logs(POD, "worker", false, &lines);
    let mut bad = vec!["memory-growth"];
    bad.extend(LEAK_KINDS);
    check("batch sawtooth", &b.text(), &[], &bad);
}

// ---------------------------------------------------------------------------
// The builder itself: what it writes is what kubectl prints
// ---------------------------------------------------------------------------

#[test]
fn builder_writes_collector_prompts_and_kubectl_shapes() {
    let pod = oom_pod();
    let mut b = Bundle::new("shop");
    b.get_pods(&[&pod]).describe(&[&pod]);
    b.top(&[(POD, "worker", &[97, 99])], 2);
    b.logs(POD, "worker", true, &[(at_min(-2), "Traceback (most recent call last):\nMemoryError".into())]);
    let t = b.text();
    assert!(t.starts_with("# kubeleak-bundle: 1\n# captured-at: 2026-11-24T10:00:00Z\n"));
    assert!(t.contains("$ kubectl get pods -n shop -l app=worker -o wide  # at 2026-11-24T10:00:00Z\n"), "{t}");
    assert!(t.contains(&format!("{POD}   0/1     CrashLoopBackOff   4 (60s ago)   5h12m")), "{t}");
    assert!(t.contains("    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n      Started:      Tue, 24 Nov 2026 08:48:00 +0000\n"), "{t}");
    assert!(t.contains("  Warning  BackOff  41s (x9 over 4h)  kubelet  Back-off restarting"), "{t}");
    assert!(t.contains("$ kubectl top pod -n shop -l app=worker --containers  # at 2026-11-24T10:02:02Z\nPOD"), "{t}");
    assert!(t.contains("2026-11-24T09:58:00.000000000Z Traceback (most recent call last):\n2026-11-24T09:58:00.000000000Z MemoryError\n"), "{t}");
    // The top samples are read today: two samples with times.
    let a = analyze_text("b", &t);
    let p = a.model.pod(Some("shop"), POD).expect("pod");
    let c = p.container("worker").expect("container");
    assert_eq!(c.memory_samples.len(), 2);
    assert!(c.memory_samples.iter().all(|s| s.at.is_some()));
}

#[test]
fn log_line_formats() {
    let t = at_min(0);
    assert_eq!(
        line(Fmt::Stdlib, t, "INFO", "worker.jobs", "pending jobs in queue: 5", &[]),
        "2026-11-24 10:00:00,000 INFO worker.jobs: pending jobs in queue: 5"
    );
    assert_eq!(
        line(Fmt::Logfmt, t, "INFO", "worker.geo", "lru stats", &[("cached_items", "5".into())]),
        "timestamp=2026-11-24T10:00:00Z level=info logger=worker.geo event=\"lru stats\" cached_items=5"
    );
    let j: serde_json::Value =
        serde_json::from_str(&line(Fmt::Json, t, "INFO", "w", "memo", &[("memo_entries", "5".into())])).unwrap();
    assert_eq!(j["memo_entries"], 5);
    assert_eq!(j["message"], "memo");
}

/// The page's sample bundle (`web/sample-bundle.txt`): an image worker whose thumbnail
/// cache grows until it is OOM-killed.
#[test]
fn sample_bundle_tells_the_whole_story() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/sample-bundle.txt");
    let text = std::fs::read_to_string(path).expect("sample bundle");
    let f = check(
        "sample-bundle",
        &text,
        &["oom-killed", "crash-loop", "memory-error", "memory-growth", "cache-without-eviction"],
        &["frequent-restarts", "unbounded-collection", "large-object-retention", "global-state-accumulation"],
    );
    let crashed = "image-worker-6c9f7d8b5-4xk2p";
    let of = |kind: &str, pod: &str| f.iter().any(|x| x.kind == kind && x.pod.as_deref() == Some(pod));
    assert!(of("oom-killed", crashed) && of("crash-loop", crashed) && of("memory-error", crashed));
    let cache = f
        .iter()
        .find(|x| x.kind == "cache-without-eviction" && x.pod.as_deref() == Some(crashed))
        .expect("cache finding for the crashed pod");
    assert_eq!(cache.severity, Severity::Critical, "grew in the run that was OOM-killed");
    assert!(cache.title.contains("thumbnail cache size=<num> entries"), "{}", cache.title);
    assert_eq!(f[0].kind, "memory-growth", "soonest limit first:\n{}", dump(&f));
    assert!(f[0].title.contains("reaches its 512Mi limit in ~1h46m"), "{}", f[0].title);
}

// ---------------------------------------------------------------------------
// Python memory tools' output in the logs (tracemalloc, objgraph)
// ---------------------------------------------------------------------------

/// `tracemalloc` `compare_to` lines logged every 20 minutes (`snap.compare_to(first,
/// "lineno")[:2]`, each printed with `str()`).
fn tracemalloc_lines(site: &str, mib: &[u64]) -> Vec<(jiff::Timestamp, String)> {
    let base = mib.first().copied().unwrap_or(0);
    times(-55, 1200, mib.len())
        .into_iter()
        .zip(mib)
        .flat_map(|(t, &m)| {
            let count = 1000 * m;
            [
                (
                    t,
                    format!(
                        "{site}: size={m} MiB (+{} MiB), count={count} (+{}), average=1049 B",
                        m - base,
                        count - 1000 * base
                    ),
                ),
                (
                    t,
                    "/usr/local/lib/python3.12/json/decoder.py:353: size=412 KiB (+2048 B), count=5120 (+12), average=82 B"
                        .to_string(),
                ),
            ]
        })
        .collect()
}

#[test]
fn tracemalloc_in_the_logs_localises_the_cache_finding() {
    let pod = Pod::new(POD).container(C::new("worker").limit("1Gi").request("512Mi"));
    let mut lines: Vec<_> = times(-60, 300, 28)
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let n = 1200 + 850 * i;
            (t, line(Fmt::Stdlib, t, "INFO", "worker.thumbs", &format!("thumbnail cache size={n} entries"), &[]))
        })
        .collect();
    lines = with_noise(Fmt::Stdlib, lines);
    lines.extend(tracemalloc_lines("/app/worker/thumbs.py", &[20, 120, 330]).into_iter().map(|(t, l)| {
        let l = l.replacen(": size=", ":41: size=", 1);
        (t, l)
    }));
    lines.sort_by_key(|(t, _)| *t);
    let mut b = Bundle::new("shop");
    b.describe(&[&pod]);
    b.top(&[(POD, "worker", &[400, 415, 431, 446, 462, 477, 493, 508])], 10);
    b.logs(POD, "worker", false, &lines);
    let text = b.text();
    let others: Vec<&str> = LEAK_KINDS.iter().copied().filter(|k| *k != "cache-without-eviction").collect();
    let f = check("tracemalloc localises", &text, &["cache-without-eviction", "memory-growth"], &others);
    let c = one(&f, "cache-without-eviction");
    assert!(c.title.ends_with(" — at /app/worker/thumbs.py:41"), "{}", c.title);
    assert!(
        c.detail.contains("tracemalloc: /app/worker/thumbs.py:41 allocated 330 MiB (+310 MiB) between two snapshots."),
        "{}",
        c.detail
    );
    let a = analyze_text("t", &text);
    let quoted: Vec<&str> = c.evidence.iter().map(|&o| a.model.line_text(o)).collect();
    assert!(quoted.iter().any(|l| l.contains("thumbs.py:41: size=")), "{quoted:#?}");
    assert!(quoted.iter().any(|l| l.contains("thumbnail cache size=")), "{quoted:#?}");
}

#[test]
fn tracemalloc_and_objgraph_alone_give_findings() {
    let pod = Pod::new(POD).container(C::new("worker").limit("1Gi"));
    // A cache module that grows, and `objgraph.show_growth()` printed every 20 minutes.
    let mut lines = tracemalloc_lines("/app/pricing/cache.py:17", &[8, 60, 140]);
    for (i, t) in times(-50, 1200, 3).into_iter().enumerate() {
        let (dict, list) = (4000 + 2500 * i, 900 + 5 * i);
        let (dd, dl) = if i == 0 { (dict, list) } else { (2500, 5) };
        lines.push((t, format!("dict                  {dict:>6}    {:>+6}", dd)));
        lines.push((t, format!("list                  {list:>6}    {:>+6}", dl)));
    }
    lines.sort_by_key(|(t, _)| *t);
    let mut b = Bundle::new("shop");
    b.describe(&[&pod]);
    b.logs(POD, "worker", false, &lines);
    let f = check(
        "tracemalloc alone",
        &b.text(),
        &["cache-without-eviction", "unbounded-collection"],
        &["large-object-retention", "global-state-accumulation"],
    );
    assert_eq!(
        one(&f, "cache-without-eviction").title,
        "worker: tracemalloc: /app/pricing/cache.py:17 allocated 140 MiB (+132 MiB) between two snapshots"
    );
    assert_eq!(
        one(&f, "unbounded-collection").title,
        "worker: objgraph: dict objects grew by 5000 over 2 show_growth calls (to 9000)"
    );
}
