//! `kubeleak collect --prometheus URL` and `--prometheus-service NS/SERVICE:PORT` against a
//! REAL Prometheus (`support/prometheus.rs`: Debian's `prometheus` with history loaded by
//! `promtool`), together with the real kubectl and the test API server
//! (`support/apiserver.rs`), which also plays the API server's service proxy. The failures
//! (unreachable, timeout, 403, `"status":"error"`) are kept in the bundle and the rest of
//! it is still written.
//!
//! The bench of a 24 h × 3 pods × 15 s collection is `bench_collect_24h_3_pods_15s`
//! (ignored; docs/performance.md says how to run it).

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::apiserver::{
    ApiServer, Options, NAMESPACE, OK_POD, OOM_POD, OTHER_NAMESPACE, OTHER_POD, PROMETHEUS_SERVICE,
};
use support::prometheus::{
    closed_port, kills, openmetrics, require_prometheus, Prometheus, Silent, DECOY_NAMESPACE, MIB, UNSELECTED_POD,
};

/// A per-test HOME with `.kube/config` pointing at the server.
struct Env {
    home: tempfile::TempDir,
}

impl Env {
    fn new(server: &ApiServer) -> Env {
        let found = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).any(|d| d.join("kubectl").is_file()))
            .unwrap_or(false);
        assert!(found, "the collector tests need the real `kubectl` on PATH");
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".kube")).unwrap();
        std::fs::write(home.path().join(".kube/config"), server.kubeconfig()).unwrap();
        Env { home }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    fn collect(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kubeleak"))
            .arg("collect")
            .args(args)
            .env("HOME", self.home.path())
            .env_remove("KUBECONFIG")
            .env_remove("http_proxy")
            .env_remove("HTTP_PROXY")
            .env_remove("ALL_PROXY")
            .current_dir(self.home.path())
            .output()
            .unwrap()
    }

    fn bundle(&self, name: &str) -> String {
        let bytes = std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("no bundle {name}: {e}"));
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut s = String::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut s).unwrap();
            s
        } else {
            String::from_utf8(bytes).unwrap()
        };
        if let Some(dir) = std::env::var_os("KUBELEAK_KEEP_BUNDLES") {
            support::prometheus::keep(&Path::new(&dir).join(name), &text);
        }
        text
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// One section of the bundle: its prompt line and the lines up to the next prompt.
#[derive(Debug)]
struct Section<'a> {
    prompt: &'a str,
    lines: Vec<&'a str>,
}

impl Section<'_> {
    /// The output lines (not the `# kubeleak:` annotations).
    fn body(&self) -> String {
        self.lines.iter().filter(|l| !l.starts_with("# kubeleak: ")).copied().collect::<Vec<_>>().join("\n")
    }
    fn notes(&self) -> Vec<&str> {
        self.lines.iter().filter_map(|l| l.strip_prefix("# kubeleak: ")).collect()
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body()).unwrap_or_else(|e| panic!("{e}: {}", self.body()))
    }
    /// The PromQL in the prompt's URL, decoded.
    fn promql(&self) -> String {
        let q = self.prompt.split("query=").nth(1).unwrap_or("").split('&').next().unwrap_or("");
        percent_decode(q)
    }
    fn param(&self, name: &str) -> String {
        let url = self.prompt.split('\'').nth(1).unwrap_or("");
        url.split(['?', '&']).find_map(|kv| kv.strip_prefix(&format!("{name}="))).unwrap_or("").to_string()
    }
}

fn sections(bundle: &str) -> Vec<Section<'_>> {
    let mut out: Vec<Section> = Vec::new();
    for l in bundle.lines() {
        if l.starts_with("$ ") {
            out.push(Section { prompt: l, lines: Vec::new() });
        } else if let Some(s) = out.last_mut() {
            s.lines.push(l);
        }
    }
    out
}

fn prometheus_sections<'a>(bundle: &'a str) -> Vec<Section<'a>> {
    sections(bundle).into_iter().filter(|s| s.prompt.contains("/api/v1/query_range?")).collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or(""), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The queries, in the order the collector asks them, for the pods of `-A -l app=worker`.
fn expected_queries(pods: &[(&str, &str)]) -> Vec<String> {
    let sel = |extra: &str| -> Vec<String> {
        let mut by_ns: Vec<(&str, Vec<String>)> = Vec::new();
        for (ns, pod) in pods {
            let p = pod.replace('.', "\\\\.");
            match by_ns.iter_mut().find(|(n, _)| n == ns) {
                Some((_, v)) => v.push(p),
                None => by_ns.push((ns, vec![p])),
            }
        }
        by_ns.iter().map(|(ns, ps)| format!("namespace=\"{ns}\",pod=~\"{}\"{extra}", ps.join("|"))).collect()
    };
    [
        ("container_memory_working_set_bytes", ",container!=\"\",container!=\"POD\""),
        ("kube_pod_container_resource_limits", ",resource=\"memory\""),
        ("kube_pod_container_resource_requests", ",resource=\"memory\""),
        ("kube_pod_container_status_restarts_total", ""),
        ("kube_pod_container_status_last_terminated_reason", ""),
    ]
    .iter()
    .map(|(m, extra)| sel(extra).iter().map(|s| format!("{m}{{{s}}}")).collect::<Vec<_>>().join(" or "))
    .collect()
}

/// (namespace, pod, container) of a series.
type Key = (String, String, String);

/// Each series of a matrix answer: its key and its (time, value) points, sorted by key.
fn series(v: &Value) -> Vec<(Key, Vec<(f64, f64)>)> {
    assert_eq!(v["status"], "success", "{v}");
    assert_eq!(v["data"]["resultType"], "matrix", "{v}");
    let label = |m: &Value, k: &str| m[k].as_str().unwrap_or("").to_string();
    let mut out: Vec<_> = v["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let m = &s["metric"];
            let values = s["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_f64().unwrap(), p[1].as_str().unwrap().parse::<f64>().unwrap()))
                .collect();
            ((label(m, "namespace"), label(m, "pod"), label(m, "container")), values)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn key(ns: &str, pod: &str, c: &str) -> Key {
    (ns.to_string(), pod.to_string(), c.to_string())
}

/// History for "now", in a real Prometheus.
fn prometheus(flags: &[&str]) -> Prometheus {
    require_prometheus();
    let now = jiff::Timestamp::now().as_second();
    Prometheus::start(&openmetrics(now - 30), flags)
}

/// `--prometheus URL` with `-A`: the five queries of the three selected pods, each its own
/// section with the raw JSON; nothing of the pods and containers that were not selected.
#[test]
fn collects_the_history_of_the_selected_pods_from_a_real_prometheus() {
    let prom = prometheus(&[]);
    let server = ApiServer::start(Options { second_namespace: true, ..Options::default() });
    let env = Env::new(&server);
    let out = env.collect(&[
        "-A",
        "-l",
        "app=worker",
        "--samples",
        "0",
        "--prometheus",
        &format!("{}/", prom.url),
        "-o",
        "b.txt.gz",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(", 5 Prometheus query(ies), 0 failed"), "{}", stdout(&out));
    let text = env.bundle("b.txt.gz");

    // Where they go: after the pods, before the samples and the logs.
    let prompts: Vec<&str> = sections(&text).iter().map(|s| s.prompt).collect();
    let first = prompts.iter().position(|p| p.starts_with("$ curl ")).expect("curl sections");
    assert!(prompts[first - 1].starts_with("$ kubectl get events -A"), "{prompts:#?}");
    assert!(prompts[first + 5].starts_with("$ kubectl logs -n "), "{prompts:#?}");

    let prom_sections = prometheus_sections(&text);
    assert_eq!(prom_sections.len(), 5, "{prompts:#?}");
    let pods = [(NAMESPACE, OOM_POD), (NAMESPACE, OK_POD), (OTHER_NAMESPACE, OTHER_POD)];
    let wanted = expected_queries(&pods);
    let range_end: i64 = prom_sections[0].param("end").parse().unwrap();
    for (s, q) in prom_sections.iter().zip(&wanted) {
        // The curl that fetches the same answer: single-quoted URL, `  # at` time.
        let url_head = format!("$ curl -s '{}/api/v1/query_range?query=", prom.url);
        assert!(s.prompt.starts_with(&url_head), "{}", s.prompt);
        assert!(s.prompt.contains("'  # at 20"), "{}", s.prompt);
        assert_eq!(&s.promql(), q);
        assert_eq!(s.param("step"), "60");
        assert_eq!(s.param("end").parse::<i64>().unwrap(), range_end);
        assert_eq!(range_end - s.param("start").parse::<i64>().unwrap(), 86_400);
        assert!(!s.lines.iter().any(|l| l.starts_with("# kubeleak: exit-code")), "{:?}", s.lines);
        // The body is Prometheus' own answer, as it came (one line).
        assert!(
            s.lines[0].starts_with("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\""),
            "{}",
            s.lines[0]
        );
        let direct = prom.get(&format!("/api/{}", s.prompt.split_once("/api/").unwrap().1.split('\'').next().unwrap()));
        assert_eq!(series(&s.json()), series(&serde_json::from_str(&direct).unwrap()), "{q}");
    }

    // Working set: the four app containers of the three pods, 24 h at 60 s.
    let memory = series(&prom_sections[0].json());
    let keys: Vec<_> = memory.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(
        keys,
        [
            key(OTHER_NAMESPACE, OTHER_POD, "worker"),
            key(NAMESPACE, OK_POD, "worker"),
            key(NAMESPACE, OOM_POD, "metrics-exporter"),
            key(NAMESPACE, OOM_POD, "worker"),
        ]
    );
    for (k, values) in &memory {
        assert!((1430..=1441).contains(&values.len()), "{k:?}: {}", values.len());
        assert!(values.windows(2).all(|w| w[1].0 - w[0].0 == 60.0), "{k:?}");
    }
    assert!(!text.contains(UNSELECTED_POD) && !text.contains(&format!("\"{DECOY_NAMESPACE}\"")), "not selected");
    assert!(!text.contains("\"container\":\"POD\"") && !text.contains("\"container\":\"\""), "not app containers");
    // The leak: two drops from near the limit, each at a kill.
    let leak = &memory.iter().find(|(k, _)| *k == key(NAMESPACE, OOM_POD, "worker")).unwrap().1;
    let drops = leak.windows(2).filter(|w| w[0].1 - w[1].1 > 200.0 * MIB).count();
    assert_eq!(drops, kills().len());
    assert_eq!(drops, 2);
    assert!(leak.iter().all(|(_, v)| *v < 512.0 * MIB));
    // kube-state-metrics: the limits (memory only), restarts up to 2, the OOM kill reason.
    let limits = series(&prom_sections[1].json());
    assert_eq!(limits.len(), 4);
    let limit_of = |k| limits.iter().find(|(key, _)| *key == k).unwrap().1.last().unwrap().1;
    assert_eq!(limit_of(key(NAMESPACE, OOM_POD, "worker")), 536_870_912.0);
    assert_eq!(limit_of(key(OTHER_NAMESPACE, OTHER_POD, "worker")), 1_073_741_824.0);
    assert!(prom_sections[1].lines[0].contains("\"resource\":\"memory\"") && !text.contains("\"resource\":\"cpu\""));
    assert_eq!(series(&prom_sections[2].json()).len(), 4);
    let restarts = series(&prom_sections[3].json());
    let max_restarts =
        |k| restarts.iter().find(|(key, _)| *key == k).unwrap().1.iter().map(|p| p.1).fold(0.0, f64::max);
    assert_eq!(max_restarts(key(NAMESPACE, OOM_POD, "worker")), 2.0);
    assert_eq!(max_restarts(key(NAMESPACE, OK_POD, "worker")), 0.0);
    let reasons = prom_sections[4].json();
    let reasons = reasons["data"]["result"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert_eq!(reasons[0]["metric"]["reason"], "OOMKilled");
    assert_eq!(reasons[0]["metric"]["pod"], OOM_POD);

    // The kubectl part is whole.
    assert!(text.contains(&format!("$ kubectl logs -n shop {OOM_POD} -c worker --timestamps --tail=-1 --previous")));
    assert!(!text.contains("# kubeleak: exit-code"), "nothing failed");

    // The analysis reads the bundle back (docs/prometheus.md) to the right findings.
    let bytes = std::fs::read(env.path("b.txt.gz")).unwrap();
    let a = kubeleak_analysis::analyze(
        &[kubeleak_analysis::Input { name: "b.txt.gz", bytes: &bytes }],
        &kubeleak_analysis::input::Limits::default(),
    );
    let worker = a.model.pod(Some(NAMESPACE), OOM_POD).and_then(|p| p.container("worker")).expect("worker");
    assert!((1430..=1441).contains(&worker.memory_samples.len()), "{}", worker.memory_samples.len());
    assert_eq!(worker.memory_limit.as_ref().map(|l| l.value), Some(536_870_912));
    assert_eq!(worker.memory_request.as_ref().map(|l| l.value), Some(268_435_456));
    let other = a.model.pod(Some(OTHER_NAMESPACE), OTHER_POD).and_then(|p| p.container("worker")).expect("sawtooth");
    assert_eq!(other.memory_limit.as_ref().map(|l| l.value), Some(1_073_741_824));
    let growth: Vec<_> = a.findings.iter().filter(|f| f.kind == kubeleak_analysis::Kind::MemoryGrowth).collect();
    assert_eq!(growth.len(), 1, "{growth:#?}");
    let g = growth[0];
    assert_eq!((g.pod.as_deref(), g.container.as_deref()), (Some(OOM_POD), Some("worker")));
    assert!(g.title.contains("grew 40 MiB/h in each of its last 3 runs"), "{}", g.title);
    assert!(g.title.contains("killed at ~511"), "{}", g.title);
    assert!(g.detail.contains("2 runs ended in a kill"), "{}", g.detail);
    assert!(g.detail.contains("The cycle agrees with the slope"), "{}", g.detail);
    // Negative controls: the flat pod, the sawtooth, the sidecar: no growth, no OOM kill.
    for (pod, c) in [(OK_POD, "worker"), (OTHER_POD, "worker"), (OOM_POD, "metrics-exporter")] {
        assert!(
            !a.findings.iter().any(|f| f.pod.as_deref() == Some(pod)
                && f.container.as_deref() == Some(c)
                && matches!(f.kind, kubeleak_analysis::Kind::MemoryGrowth | kubeleak_analysis::Kind::OomKilled)),
            "{pod}/{c}: {:#?}",
            a.findings
        );
    }
    // Nothing of what was not collected.
    assert!(
        a.model.pod(Some(NAMESPACE), UNSELECTED_POD).is_none() && a.model.pod(Some(DECOY_NAMESPACE), OOM_POD).is_none()
    );
}

/// `--prometheus-service NS/SERVICE:PORT`: the same queries through the API server's
/// service proxy with the user's kubectl; a step that would give more than 11,000 points
/// is raised (24 h at 1 s → 8 s, 10,801 points).
#[test]
fn collects_the_history_through_the_service_proxy() {
    let prom = prometheus(&[]);
    let server = ApiServer::start(Options { prometheus: Some(prom.url.clone()), ..Options::default() });
    let env = Env::new(&server);
    let out = env.collect(&[
        "-n",
        NAMESPACE,
        "-l",
        "app=worker",
        "--samples",
        "0",
        "--prometheus-service",
        PROMETHEUS_SERVICE,
        "--since",
        "24h",
        "--step",
        "1s",
        "-o",
        "b.txt",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--step 1s would give more than 11000 points per series: using 8s"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains(", 5 Prometheus query(ies), 0 failed"), "{}", stdout(&out));
    let text = env.bundle("b.txt");
    let prom_sections = prometheus_sections(&text);
    assert_eq!(prom_sections.len(), 5);
    let wanted = expected_queries(&[(NAMESPACE, OOM_POD), (NAMESPACE, OK_POD)]);
    for (s, q) in prom_sections.iter().zip(&wanted) {
        assert!(
            s.prompt.starts_with(
                "$ kubectl get --raw '/api/v1/namespaces/monitoring/services/prometheus-k8s:9090/proxy/api/v1/query_range?query="
            ),
            "{}",
            s.prompt
        );
        assert!(s.prompt.contains("'  # at 20"), "{}", s.prompt);
        assert_eq!(&s.promql(), q);
        assert_eq!(s.param("step"), "8");
        assert_eq!(s.json()["status"], "success");
    }
    assert!(
        prom_sections[0].notes().contains(&"prometheus: step raised from 1s to 8s (at most 11000 points per series)"),
        "{:?}",
        prom_sections[0].notes()
    );
    let memory = series(&prom_sections[0].json());
    assert_eq!(memory.len(), 3);
    for (k, values) in &memory {
        assert!((10_780..=10_801).contains(&values.len()), "{k:?}: {}", values.len());
    }
    // It went through the proxy, with the kubectl's own request.
    let proxied = server
        .requests()
        .iter()
        .filter(|r| {
            r.starts_with("GET /api/v1/namespaces/monitoring/services/prometheus-k8s:9090/proxy/api/v1/query_range?")
        })
        .count();
    assert_eq!(proxied, 5, "{:#?}", server.requests());
    // The analysis reads these sections too: the leak, at 8 s.
    let a = kubeleak_analysis::analyze_text("b.txt", &text);
    let worker = a.model.pod(Some(NAMESPACE), OOM_POD).and_then(|p| p.container("worker")).expect("worker");
    assert!(worker.memory_samples.len() > 10_000, "{}", worker.memory_samples.len());
    let growth: Vec<_> = a.findings.iter().filter(|f| f.kind == kubeleak_analysis::Kind::MemoryGrowth).collect();
    assert_eq!(growth.len(), 1, "{growth:#?}");
    assert_eq!(growth[0].pod.as_deref(), Some(OOM_POD));
    assert!(growth[0].title.contains("in each of its last 3 runs"), "{}", growth[0].title);
}

/// Failures are kept like kubectl's and the rest of the bundle is still written: nothing
/// listening (curl's exit 7), an answer that never comes (28, after --timeout), an https
/// URL (refused before anything runs: no TLS here).
#[test]
fn unreachable_and_hanging_prometheus_are_recorded() {
    let server = ApiServer::start(Options::default());
    let env = Env::new(&server);
    let port = closed_port();
    let out = env.collect(&[
        "-n",
        NAMESPACE,
        "-l",
        "app=worker",
        "--samples",
        "1",
        "--prometheus",
        &format!("http://127.0.0.1:{port}"),
        "-o",
        "refused.txt",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(", 5 Prometheus query(ies), 5 failed"), "{}", stdout(&out));
    let text = env.bundle("refused.txt");
    let prom_sections = prometheus_sections(&text);
    assert_eq!(prom_sections.len(), 5);
    for s in &prom_sections {
        assert!(s.prompt.starts_with(&format!("$ curl -s 'http://127.0.0.1:{port}/api/v1/query_range?")));
        assert_eq!(s.notes()[0], "exit-code 7", "{:?}", s.lines);
        assert!(s.notes()[1].starts_with("stderr: could not connect"), "{:?}", s.lines);
        assert_eq!(s.body(), "");
    }
    // The rest is there: samples and logs.
    assert!(text.contains("$ kubectl top pod -n shop -l app=worker --containers  # at "));
    assert!(text.contains(&format!("$ kubectl logs -n shop {OOM_POD} -c worker --timestamps --tail=-1 --previous")));

    let silent = Silent::start();
    let start = Instant::now();
    let out = env.collect(&[
        "-n",
        NAMESPACE,
        "-l",
        "app=worker",
        "--samples",
        "0",
        "--timeout",
        "2s",
        "--prometheus",
        &format!("http://127.0.0.1:{}", silent.port),
        "-o",
        "hung.txt",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(start.elapsed() < Duration::from_secs(60), "bounded by --timeout");
    let text = env.bundle("hung.txt");
    let prom_sections = prometheus_sections(&text);
    assert_eq!(prom_sections.len(), 5);
    for s in &prom_sections {
        assert_eq!(s.notes(), ["exit-code 28", "stderr: timed out after 2s"], "{:?}", s.lines);
    }
    assert!(text.contains(&format!("$ kubectl logs -n shop {OK_POD} -c worker")));

    // https: no TLS in this build; said before anything runs.
    let out = env.collect(&["-n", NAMESPACE, "-l", "app=worker", "--prometheus", "https://prom.example.com"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("https is not supported") && stderr(&out).contains("--prometheus-service"));
    assert!(server.requests().len() > 1);
}

/// 401 and 403 from an authenticating proxy in front of Prometheus (curl's exit 22, the
/// body kept; `user:password@` in the URL is sent as Basic auth and never written), and
/// 403 from the API server when the user may not use the service proxy (kubectl's own
/// failure); the rest of the bundle is written.
#[test]
fn unauthorized_and_forbidden_prometheus_are_recorded() {
    // An auth proxy: 401 without credentials, 403 with them (known, not allowed).
    let guard = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let port = guard.server_addr().to_ip().unwrap().port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let (g, s) = (guard.clone(), seen.clone());
    let t = std::thread::spawn(move || {
        for rq in g.incoming_requests() {
            let auth = rq.headers().iter().find(|h| h.field.equiv("Authorization")).map(|h| h.value.to_string());
            s.lock().unwrap().push(auth.clone().unwrap_or_default());
            let resp = match auth {
                None => tiny_http::Response::from_string("Unauthorized\n").with_status_code(401).with_header(
                    tiny_http::Header::from_bytes(&b"WWW-Authenticate"[..], &b"Basic realm=\"prometheus\""[..])
                        .unwrap(),
                ),
                Some(_) => tiny_http::Response::from_string("Forbidden: sign in at https://sso.example.com\n")
                    .with_status_code(403),
            };
            let _ = rq.respond(resp);
        }
    });
    let server = ApiServer::start(Options { proxy_forbidden: true, ..Options::default() });
    let env = Env::new(&server);
    let base = ["-n", NAMESPACE, "-l", "app=worker", "--samples", "0"];
    let out = env.collect(&[&base[..], &["--prometheus", &format!("http://127.0.0.1:{port}"), "-o", "a.txt"]].concat());
    let with_password = format!("http://oncall:hunter2-db-pass@127.0.0.1:{port}");
    let out2 = env.collect(&[&base[..], &["--prometheus", &with_password, "-o", "a2.txt"]].concat());
    guard.unblock();
    let _ = t.join();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = env.bundle("a.txt");
    let prom_sections = prometheus_sections(&text);
    assert_eq!(prom_sections.len(), 5);
    for s in &prom_sections {
        assert_eq!(s.body(), "Unauthorized");
        assert_eq!(s.notes(), ["exit-code 22", "stderr: HTTP 401 Unauthorized"], "{:?}", s.lines);
    }
    assert!(text.contains(&format!("$ kubectl logs -n shop {OOM_POD} -c worker")));

    assert_eq!(out2.status.code(), Some(0), "{}", stderr(&out2));
    let text = env.bundle("a2.txt");
    let prom_sections = prometheus_sections(&text);
    assert_eq!(prom_sections.len(), 5);
    for s in &prom_sections {
        assert!(s.prompt.starts_with(&format!("$ curl -s 'http://127.0.0.1:{port}/api/v1/")), "{}", s.prompt);
        assert_eq!(s.body(), "Forbidden: sign in at https://sso.example.com");
        assert_eq!(s.notes(), ["exit-code 22", "stderr: HTTP 403 Forbidden"], "{:?}", s.lines);
    }
    assert!(!text.contains("hunter2-db-pass") && !text.contains("oncall"), "{text}");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.iter().filter(|a| a.is_empty()).count(), 5, "{seen:?}");
    // base64("oncall:hunter2-db-pass")
    assert_eq!(seen.iter().filter(|a| *a == "Basic b25jYWxsOmh1bnRlcjItZGItcGFzcw==").count(), 5, "{seen:?}");

    let out = env.collect(&[&base[..], &["--prometheus-service", PROMETHEUS_SERVICE, "-o", "b.txt"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(", 5 Prometheus query(ies), 5 failed"), "{}", stdout(&out));
    let text = env.bundle("b.txt");
    let prom_sections = prometheus_sections(&text);
    assert_eq!(prom_sections.len(), 5);
    for s in &prom_sections {
        assert!(s.prompt.starts_with("$ kubectl get --raw '/api/v1/namespaces/monitoring/services/"), "{}", s.prompt);
        assert_eq!(s.notes()[0], "exit-code 1", "{:?}", s.lines);
        let err = s.notes()[1..].join("\n");
        assert!(err.contains("Forbidden") && err.contains("services/proxy"), "{err}");
    }
    assert!(text.contains(&format!("$ kubectl logs -n shop {OK_POD} -c worker")));
}

/// `"status":"error"` from a real Prometheus (a query over its `--query.max-samples`): the
/// error answer is kept as it came, noted, and the other queries and the bundle are fine.
#[test]
fn a_prometheus_error_answer_is_recorded() {
    let prom = prometheus(&["--query.max-samples=2000"]);
    let server = ApiServer::start(Options { prometheus: Some(prom.url.clone()), ..Options::default() });
    let env = Env::new(&server);
    let base = ["-n", NAMESPACE, "-l", "app=worker", "--samples", "0"];
    let out = env.collect(&[&base[..], &["--prometheus", &prom.url, "-o", "a.txt"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = env.bundle("a.txt");
    let prom_sections = prometheus_sections(&text);
    assert_eq!(prom_sections.len(), 5);
    // 3 series × 1,441 points is over 2,000 samples: refused with 422.
    let memory = &prom_sections[0];
    let v = memory.json();
    assert_eq!(v["status"], "error", "{v}");
    assert_eq!(v["errorType"], "execution", "{v}");
    assert_eq!(memory.notes()[0], "exit-code 22");
    assert_eq!(memory.notes()[1], "stderr: HTTP 422 Unprocessable Entity");
    assert!(
        memory.notes()[2].starts_with("prometheus: error execution: query processing would load too many samples"),
        "{:?}",
        memory.notes()
    );
    // The last termination reasons: one series, well under the limit.
    assert_eq!(prom_sections[4].json()["status"], "success");
    assert!(text.contains(&format!("$ kubectl logs -n shop {OOM_POD} -c worker")));

    // The same through the service proxy: kubectl's failure. kubectl reads a non-2xx body
    // as a Kubernetes Status, so Prometheus' own error text is lost on this path (422:
    // "The request is invalid"); the failure is still there, and the rest.
    let out = env.collect(&[&base[..], &["--prometheus-service", PROMETHEUS_SERVICE, "-o", "b.txt"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(", 5 Prometheus query(ies), 4 failed"), "{}", stdout(&out));
    let text = env.bundle("b.txt");
    let prom_sections = prometheus_sections(&text);
    let memory = &prom_sections[0];
    assert_eq!(memory.notes()[0], "exit-code 1", "{:?}", memory.lines);
    assert!(memory.notes()[1].starts_with("stderr: "), "{:?}", memory.lines);
    assert_eq!(prom_sections[4].json()["status"], "success");
    assert!(text.contains(&format!("$ kubectl logs -n shop {OK_POD} -c worker")));
}

/// The bench of docs/performance.md: `collect` of 24 h × 3 pods × 15 s (`--step 15s`:
/// 5,761 points per series) from the real Prometheus, against the same collect without
/// `--prometheus`, in ABBA order (A without, B with), `KUBELEAK_BENCH_ROUNDS` rounds (default
/// 3); then the analysis of the bundle. Prints each run and the means. Not a timed test:
/// `cargo test --release -p kubeleak --test prometheus -- --ignored --nocapture bench`.
#[test]
#[ignore = "a bench: run it by hand (docs/performance.md)"]
fn bench_collect_24h_3_pods_15s() {
    let prom = prometheus(&[]);
    let server = ApiServer::start(Options { second_namespace: true, ..Options::default() });
    let env = Env::new(&server);
    let rounds: usize = std::env::var("KUBELEAK_BENCH_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(3);
    let (mut without, mut with) = (Vec::new(), Vec::new());
    let mut n = 0;
    for _ in 0..rounds {
        for history in [false, true, true, false] {
            n += 1;
            let name = format!("b{n}.txt.gz");
            let mut args = vec!["-A", "-l", "app=worker", "--samples", "0", "-o", &name];
            if history {
                args.extend(["--step", "15s", "--prometheus", &prom.url]);
            }
            let start = Instant::now();
            let out = env.collect(&args);
            let took = start.elapsed().as_secs_f64();
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            let text = env.bundle(&name);
            if !history {
                eprintln!("run {n} without --prometheus: collect {took:.3} s");
                without.push(took);
                continue;
            }
            let memory = series(&prometheus_sections(&text)[0].json());
            assert_eq!(memory.len(), 4);
            assert!(memory.iter().all(|(_, v)| v.len() >= 5_700), "24 h at 15 s");
            let bytes = std::fs::read(env.path(&name)).unwrap();
            let started = Instant::now();
            let a = kubeleak_analysis::analyze(
                &[kubeleak_analysis::Input { name: &name, bytes: &bytes }],
                &kubeleak_analysis::input::Limits::default(),
            );
            let analyzed = started.elapsed().as_secs_f64();
            eprintln!(
                "run {n} with --prometheus: collect {took:.3} s, analyze {analyzed:.3} s ({} findings), bundle {} KiB gzip, {} KiB text",
                a.findings.len(),
                bytes.len() / 1024,
                text.len() / 1024
            );
            with.push((took, analyzed));
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (collect_with, analyze): (Vec<f64>, Vec<f64>) = with.iter().copied().unzip();
    eprintln!(
        "means over {} runs each: collect without {:.3} s, with {:.3} s (the history: +{:.3} s); analyze {:.3} s",
        without.len(),
        mean(&without),
        mean(&collect_with),
        mean(&collect_with) - mean(&without),
        mean(&analyze)
    );
}
