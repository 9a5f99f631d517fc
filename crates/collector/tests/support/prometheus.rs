//! A real Prometheus for the collector's `--prometheus` tests: Debian's `prometheus`
//! (2.42; `scripts/setup.sh --browser` installs it, with `promtool`) on a free port of
//! 127.0.0.1, with its own data directory and an empty scrape configuration, holding
//! generated history loaded with `promtool tsdb create-blocks-from openmetrics`.
//!
//! The history ([`openmetrics`]): 24 h at 15 s, ending just before now (so it is inside
//! the default retention), for the three pods of the test API server's `-A -l app=worker`:
//! - [`OOM_POD`]'s `worker` leaks ~40 MiB/h from 160 MiB and is OOM-killed at its 512 Mi
//!   limit twice (restarts 0 → 1 → 2, `last_terminated_reason{reason="OOMKilled"}` from
//!   the first kill); its `metrics-exporter` is flat at 20 MiB under 64 Mi;
//! - [`OK_POD`]'s `worker` is flat around 300 MiB under 512 Mi;
//! - [`OTHER_POD`]'s `worker` (namespace `batch`) is a GC sawtooth, 400 → 600 MiB every
//!   10 minutes, under 1 Gi;
//!
//! and series that must NOT be collected: the pod cgroup (`container=""`) and the pause
//! container (`container="POD"`) of [`OOM_POD`], a pod that was not selected
//! ([`UNSELECTED_POD`]), and a pod of the same name as [`OOM_POD`] in another namespace
//! ([`DECOY_NAMESPACE`]).
//!
//! [`Prometheus`] is a guard: dropping it (a test's end, a panic) kills the server.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::apiserver::{NAMESPACE, OK_POD, OOM_POD, OTHER_NAMESPACE, OTHER_POD};

pub const MIB: f64 = 1024.0 * 1024.0;
/// A pod of the namespace that the selector does not match.
pub const UNSELECTED_POD: &str = "api-6b7c8d9e0f-abcde";
/// A namespace with a pod named like [`OOM_POD`] (not selected either).
pub const DECOY_NAMESPACE: &str = "staging";
/// Seconds between samples of the generated history.
pub const SCRAPE: i64 = 15;
/// The history's length.
pub const HOURS: i64 = 24;
/// The leak's slope and start, and where the kills happen.
pub const LEAK_MIB_PER_HOUR: f64 = 40.0;
pub const LEAK_START_MIB: f64 = 160.0;
pub const LIMIT_MIB: f64 = 512.0;

/// The tests need the real Prometheus: fail, never skip, when it is missing.
pub fn require_prometheus() {
    for tool in ["prometheus", "promtool"] {
        let found = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
            .unwrap_or(false);
        assert!(
            found,
            "the --prometheus tests need the real `{tool}` on PATH: Debian's `prometheus` package (2.42) ships both; `scripts/setup.sh --browser` installs it (apt-get install prometheus)"
        );
    }
}

/// A time series being written: `name{labels} value timestamp` lines.
struct Family {
    name: &'static str,
    help: &'static str,
    series: Vec<(String, Vec<(i64, f64)>)>,
}

/// The working set of the leaking container at `t` seconds from the start: the run it is
/// in (0, 1, 2) and its bytes. A run starts at [`LEAK_START_MIB`] and grows until it
/// reaches the limit, where the kernel kills it; the restarted container starts again.
pub fn leak_at(t: i64) -> (u32, f64) {
    let run_secs = ((LIMIT_MIB - LEAK_START_MIB) / LEAK_MIB_PER_HOUR * 3600.0) as i64;
    let run = (t / run_secs) as u32;
    let into = t % run_secs;
    let wiggle = ((t / SCRAPE) % 7) as f64 * 0.3 - 0.9;
    let mib = LEAK_START_MIB + LEAK_MIB_PER_HOUR * into as f64 / 3600.0 + wiggle;
    (run, mib.min(LIMIT_MIB - 0.5) * MIB)
}

/// The seconds from the start at which [`leak_at`] is killed (within [`HOURS`]).
pub fn kills() -> Vec<i64> {
    let run_secs = ((LIMIT_MIB - LEAK_START_MIB) / LEAK_MIB_PER_HOUR * 3600.0) as i64;
    (1..).map(|k| k * run_secs).take_while(|t| *t < HOURS * 3600).collect()
}

/// OpenMetrics text of the history, ending at `end` (Unix seconds; the last sample).
pub fn openmetrics(end: i64) -> String {
    let start = end - HOURS * 3600 + SCRAPE;
    let times: Vec<i64> = (start..=end).step_by(SCRAPE as usize).collect();
    let cadvisor = |ns: &str, pod: &str, c: &str| {
        format!(
            r#"{{container="{c}",id="/kubepods/burstable/pod-{pod}/{c}",image="registry.example.com/{c}:1",job="kubelet",metrics_path="/metrics/cadvisor",name="{c}",namespace="{ns}",pod="{pod}"}}"#
        )
    };
    let ksm = |ns: &str, pod: &str, c: &str, extra: &str| {
        format!(r#"{{container="{c}",job="kube-state-metrics",namespace="{ns}",pod="{pod}",uid="u-{pod}"{extra}}}"#)
    };
    let series = |f: &dyn Fn(i64) -> f64| times.iter().map(|&t| (t, f(t - start))).collect::<Vec<_>>();
    let ksm_times: Vec<i64> = times.iter().copied().filter(|t| (t - start) % 60 == 0).collect();
    let ksm_series = |f: &dyn Fn(i64) -> f64| ksm_times.iter().map(|&t| (t, f(t - start))).collect::<Vec<_>>();

    let leak = |t: i64| leak_at(t).1;
    let flat = |t: i64| 300.0 * MIB + ((t / SCRAPE) % 5) as f64 * 0.2 * MIB;
    let saw = |t: i64| (400.0 + 200.0 * (t % 600) as f64 / 600.0) * MIB;
    let exporter = |_t: i64| 20.0 * MIB;

    let memory = Family {
        name: "container_memory_working_set_bytes",
        help: "Current working set of the container in bytes",
        series: vec![
            (cadvisor(NAMESPACE, OOM_POD, "worker"), series(&leak)),
            (cadvisor(NAMESPACE, OOM_POD, "metrics-exporter"), series(&exporter)),
            (cadvisor(NAMESPACE, OK_POD, "worker"), series(&flat)),
            (cadvisor(OTHER_NAMESPACE, OTHER_POD, "worker"), series(&saw)),
            // Not app containers: the pod's cgroup and the pause container.
            (cadvisor(NAMESPACE, OOM_POD, ""), series(&|t| leak(t) + 21.0 * MIB)),
            (cadvisor(NAMESPACE, OOM_POD, "POD"), series(&|_| 0.5 * MIB)),
            // Not selected.
            (cadvisor(NAMESPACE, UNSELECTED_POD, "api"), series(&|_| 999.0 * MIB)),
            (cadvisor(DECOY_NAMESPACE, OOM_POD, "worker"), series(&|_| 777.0 * MIB)),
        ],
    };
    let app = [
        (NAMESPACE, OOM_POD, "worker", 512.0, 256.0),
        (NAMESPACE, OOM_POD, "metrics-exporter", 64.0, 32.0),
        (NAMESPACE, OK_POD, "worker", 512.0, 256.0),
        (OTHER_NAMESPACE, OTHER_POD, "worker", 1024.0, 512.0),
        (NAMESPACE, UNSELECTED_POD, "api", 2048.0, 1024.0),
        (DECOY_NAMESPACE, OOM_POD, "worker", 4096.0, 1024.0),
    ];
    let mem = r#",resource="memory",unit="byte""#;
    let limits = Family {
        name: "kube_pod_container_resource_limits",
        help: "The number of requested limit resource by a container.",
        series: app
            .iter()
            .flat_map(|(ns, p, c, limit, _)| {
                [
                    (ksm(ns, p, c, mem), ksm_series(&|_| limit * MIB)),
                    (ksm(ns, p, c, r#",resource="cpu",unit="core""#), ksm_series(&|_| 1.0)),
                ]
            })
            .collect(),
    };
    let requests = Family {
        name: "kube_pod_container_resource_requests",
        help: "The number of requested request resource by a container.",
        series: app.iter().map(|(ns, p, c, _, request)| (ksm(ns, p, c, mem), ksm_series(&|_| request * MIB))).collect(),
    };
    let restarts = Family {
        name: "kube_pod_container_status_restarts_total",
        help: "The number of container restarts per container.",
        series: app
            .iter()
            .map(|(ns, p, c, _, _)| {
                let leaking = *ns == NAMESPACE && *p == OOM_POD && *c == "worker";
                (ksm(ns, p, c, ""), ksm_series(&|t| if leaking { leak_at(t).0 as f64 } else { 0.0 }))
            })
            .collect(),
    };
    let first_kill = kills()[0];
    let terminated = Family {
        name: "kube_pod_container_status_last_terminated_reason",
        help: "Describes the last reason the container was in terminated state.",
        series: vec![
            (
                ksm(NAMESPACE, OOM_POD, "worker", r#",reason="OOMKilled""#),
                ksm_times.iter().filter(|&&t| t - start >= first_kill).map(|&t| (t, 1.0)).collect(),
            ),
            (ksm(NAMESPACE, UNSELECTED_POD, "api", r#",reason="OOMKilled""#), ksm_series(&|_| 1.0)),
        ],
    };

    let mut out = String::with_capacity(24 << 20);
    for f in [memory, limits, requests, restarts, terminated] {
        // All gauges: a counter's OpenMetrics family would be named without `_total`; the
        // sample names stay as kube-state-metrics writes them.
        out.push_str(&format!("# HELP {} {}\n# TYPE {} gauge\n", f.name, f.help, f.name));
        for (labels, points) in &f.series {
            for (t, v) in points {
                out.push_str(&format!("{}{labels} {v} {t}\n", f.name));
            }
        }
    }
    out.push_str("# EOF\n");
    out
}

/// A running Prometheus, killed when dropped.
pub struct Prometheus {
    pub url: String,
    pub port: u16,
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl Prometheus {
    /// Loads `openmetrics` into a fresh TSDB and starts Prometheus on it, with `flags`
    /// added (e.g. `--query.max-samples=100`); waits until `/-/ready` answers 200.
    pub fn start(openmetrics: &str, flags: &[&str]) -> Prometheus {
        require_prometheus();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let input = dir.path().join("history.om");
        std::fs::write(&input, openmetrics).unwrap();
        let out = Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&input)
            .arg(&data)
            .output()
            .expect("run promtool");
        assert!(
            out.status.success(),
            "promtool tsdb create-blocks-from openmetrics failed: {}{}\nits input began:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            openmetrics.lines().take(4).collect::<Vec<_>>().join("\n")
        );
        let _ = std::fs::remove_file(&input);
        let config = dir.path().join("prometheus.yml");
        std::fs::write(&config, "# kubeleak tests: no scraping, only the loaded blocks\nscrape_configs: []\n").unwrap();
        Self::serve(dir, &data, &config, flags)
    }

    fn serve(dir: tempfile::TempDir, data: &Path, config: &Path, flags: &[&str]) -> Prometheus {
        let mut last_log = String::new();
        // A free port can be taken between asking and binding: try a few.
        for _ in 0..3 {
            let port = free_port();
            let log_path = dir.path().join(format!("prometheus-{port}.log"));
            let log = std::fs::File::create(&log_path).unwrap();
            let child = Command::new("prometheus")
                .arg(format!("--storage.tsdb.path={}", data.display()))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg(format!("--config.file={}", config.display()))
                .arg("--storage.tsdb.retention.time=30d")
                .args(flags)
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("start prometheus");
            // Killed if waiting panics, or when it never gets ready.
            let mut guard = KillOnDrop(Some(child));
            let url = format!("http://127.0.0.1:{port}");
            if wait_ready(&url, &mut guard, Duration::from_secs(60)) {
                return Prometheus { url, port, child: guard.0.take(), dir };
            }
            drop(guard);
            last_log = std::fs::read_to_string(&log_path).unwrap_or_default();
        }
        panic!("prometheus did not become ready; its log:\n{last_log}");
    }

    /// A range query's JSON (for comparing with what the collector wrote).
    pub fn get(&self, path_and_query: &str) -> String {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        agent.get(&format!("{}{path_and_query}", self.url)).call().unwrap().body_mut().read_to_string().unwrap()
    }

    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        drop(KillOnDrop(self.child.take()));
    }
}

/// A child process killed (and reaped) when this is dropped.
struct KillOnDrop(Option<Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Polls `/-/ready` until it answers 200, the child exits, or the time is up.
fn wait_ready(url: &str, child: &mut KillOnDrop, within: Duration) -> bool {
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(2))).build().into();
    let start = Instant::now();
    while start.elapsed() < within {
        if let Some(c) = child.0.as_mut() {
            if let Ok(Some(_)) = c.try_wait() {
                return false;
            }
        }
        if agent.get(&format!("{url}/-/ready")).call().is_ok_and(|r| r.status() == 200) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A port where nothing listens (bound, then closed).
pub fn closed_port() -> u16 {
    free_port()
}

/// A TCP server on 127.0.0.1 that accepts connections and never answers (a hung
/// Prometheus behind a proxy): requests to it time out. Kept open while the value lives.
pub struct Silent {
    pub port: u16,
    _listener: std::net::TcpListener,
}

impl Silent {
    pub fn start() -> Silent {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        Silent { port: l.local_addr().unwrap().port(), _listener: l }
    }
}

/// Writes `text` to `path` (for a person reading a failing test's bundle).
pub fn keep(path: &Path, text: &str) {
    if let Ok(mut f) = std::fs::File::create(path) {
        let _ = f.write_all(text.as_bytes());
    }
}
