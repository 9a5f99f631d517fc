//! A deterministic generator of large, realistic collector bundles
//! (`docs/bundle-format.md`), for benchmarks and tests.
//!
//! One seed always gives the same bytes. The bundle is what the collector writes for a
//! namespace with many Python pods: the header, `kubectl version`, `get pods -o wide`,
//! `describe pod` (leaking workers show an `OOMKilled` last state under a `512Mi`
//! limit), `get events`, `top pod --containers` samples with `# at` times, then
//! `kubectl logs --timestamps` per container (and `--previous` for the restarted ones).
//! Logs take whatever is left of the size target: access lines, INFO/DEBUG lines,
//! warnings, `gc:` statistics, a traceback now and then, and the leak series
//! `cache size=N entries`, `queue length N`, `processed total: N`.
//!
//! Example: `generate(&Options { size: 5_000_000, seed: 1 }, &mut out)` writes about
//! 5 MB (never less than the target, at most one log line more).

use std::fmt::Write as _;
use std::io::{self, Write};

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Target size of the text in bytes (before any gzip).
    pub size: u64,
    pub seed: u64,
}

/// Parses a size such as `200MB`, `1GB`, `512KiB`, `5MiB` or `123456` (bytes). `KB`,
/// `MB`, `GB` are powers of 1000; `KiB`, `MiB`, `GiB` powers of 1024.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let digits_end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (num, unit) = s.split_at(digits_end);
    let num: f64 = num.parse().map_err(|_| format!("not a size: {s:?} (try 200MB)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "ki" | "kib" => 1 << 10,
        "mi" | "mib" => 1 << 20,
        "gi" | "gib" => 1 << 30,
        u => return Err(format!("unknown size unit {u:?} (use B, KB, MB, GB, KiB, MiB, GiB)")),
    };
    Ok((num * mult as f64).round() as u64)
}

/// The bundle as one string (benchmarks use this; the command writes to a file).
pub fn generate_string(opts: &Options) -> String {
    let mut out = Vec::with_capacity(opts.size as usize + 4096);
    generate(opts, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("the generator writes UTF-8")
}

/// Writes a bundle of at least `opts.size` bytes; returns the bytes written.
pub fn generate<W: Write>(opts: &Options, w: &mut W) -> io::Result<u64> {
    let mut g =
        Gen { rng: fastrand::Rng::with_seed(opts.seed), out: Counting { w, n: 0 }, line: String::with_capacity(512) };
    g.bundle(opts.size)?;
    Ok(g.out.n)
}

/// Only `kubectl top pod --containers` sections: `samples` of them over the pods of a
/// `pods_for_size` bundle (for benches of the `top` parser).
pub fn top_samples(seed: u64, pods_for_size: u64, samples: i64) -> String {
    let mut out = Vec::new();
    let mut g = Gen { rng: fastrand::Rng::with_seed(seed), out: Counting { w: &mut out, n: 0 }, line: String::new() };
    let pods = g.pods(pods_for_size);
    for k in 0..samples {
        g.top(&pods, CAPTURE_START + k * 30, k, samples).expect("writing to a Vec cannot fail");
    }
    String::from_utf8(out).expect("the generator writes UTF-8")
}

struct Counting<'w, W: Write> {
    w: &'w mut W,
    n: u64,
}

const NS: &str = "shop";
const SELECTOR: &str = "tier=backend";
/// 2026-11-24T10:00:00Z, when the capture starts.
const CAPTURE_START: i64 = 1_795_514_400;
const MI: u64 = 1 << 20;
const LIMIT: u64 = 512 * MI;
/// Alphabet of the random suffixes Kubernetes gives pod names.
const ALNUM: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

struct Pod {
    name: String,
    app: &'static str,
    ip: String,
    node: String,
    leaks: bool,
    restarts: u32,
    /// Containers: (name, image, is_python_app).
    containers: Vec<(&'static str, &'static str, bool)>,
    start: i64,
    /// When the app container was last OOM-killed (pods with restarts); it restarted 15 s later.
    last_oom: i64,
}

struct Gen<'w, W: Write> {
    rng: fastrand::Rng,
    out: Counting<'w, W>,
    line: String,
}

impl<W: Write> Gen<'_, W> {
    fn emit(&mut self) -> io::Result<()> {
        self.line.push('\n');
        self.out.w.write_all(self.line.as_bytes())?;
        self.out.n += self.line.len() as u64;
        self.line.clear();
        Ok(())
    }

    fn raw(&mut self, s: &str) -> io::Result<()> {
        self.line.push_str(s);
        self.emit()
    }

    fn suffix(&mut self, n: usize) -> String {
        (0..n).map(|_| ALNUM[self.rng.usize(..ALNUM.len())] as char).collect()
    }

    fn pods(&mut self, size: u64) -> Vec<Pod> {
        // One pod per ~5 MB of bundle, at least 6, at most 60.
        let n = (size / 5_000_000).clamp(6, 60) as usize;
        let apps: [(&str, &str); 3] = [("worker", "7d9f8b6c5"), ("api", "5c8b7d9f4"), ("ingest", "6f4d8c7b2")];
        let mut pods = Vec::with_capacity(n);
        for i in 0..n {
            let (app, hash) = apps[i % apps.len()];
            let name = format!("{app}-{hash}-{}", self.suffix(5));
            let leaks = app == "worker" || (app == "ingest" && i % 2 == 0);
            let mut containers = vec![(app, "registry.example.com/shop/backend:1.4.2", true)];
            if app != "ingest" {
                containers.push(("metrics-sidecar", "prom/statsd-exporter:v0.26.0", false));
            }
            pods.push(Pod {
                name,
                app,
                ip: format!("10.244.{}.{}", i % 8, 2 + i / 8 % 250),
                node: format!("node-{}", 1 + i % 8),
                leaks,
                restarts: if leaks { 1 + self.rng.u32(0..6) } else { 0 },
                containers,
                start: CAPTURE_START - 3600 * 2 - self.rng.i64(0..600),
                last_oom: CAPTURE_START - 900 - self.rng.i64(0..300),
            });
        }
        pods
    }

    fn prompt(&mut self, cmd: &str, at: i64) -> io::Result<()> {
        self.line.push_str("$ ");
        self.line.push_str(cmd);
        self.line.push_str("  # at ");
        rfc3339(&mut self.line, at, None);
        self.emit()
    }

    fn bundle(&mut self, size: u64) -> io::Result<()> {
        let pods = self.pods(size);
        for l in [
            "# kubeleak-bundle: 1",
            "# captured-at: 2026-11-24T10:00:00Z",
            "# context: prod-eu",
            "# namespace: shop",
            "# selector: tier=backend",
            "# kubectl-version: v1.32.4",
            "# redacted: 0",
            "# interrupted: false",
        ] {
            self.raw(l)?;
        }
        let mut t = CAPTURE_START;
        self.prompt("kubectl version", t)?;
        self.raw("Client Version: v1.32.4")?;
        self.raw("Kustomize Version: v5.5.0")?;
        self.raw("Server Version: v1.32.2")?;
        t += 1;
        self.get_pods(&pods, t)?;
        t += 1;
        self.describe(&pods, t)?;
        t += 2;
        self.events(&pods, t)?;
        t += 1;
        // Top samples every 30 s for as long as the bundle is big enough to care.
        let samples = (size / 4_000_000).clamp(12, 120) as i64;
        for k in 0..samples {
            self.top(&pods, t + k * 30, k, samples)?;
        }
        t += samples * 30;
        // Logs: what is left, shared by the log sections (app containers get 9 parts,
        // sidecars 1, previous logs of restarted containers 4).
        let mut logs: Vec<(usize, usize, bool, u64)> = Vec::new();
        for (p, pod) in pods.iter().enumerate() {
            for (c, &(_, _, python)) in pod.containers.iter().enumerate() {
                if python && pod.restarts > 0 {
                    logs.push((p, c, true, 4));
                }
                logs.push((p, c, false, if python { 9 } else { 1 }));
            }
        }
        for (i, &(p, c, previous, weight)) in logs.iter().enumerate() {
            let left = size.saturating_sub(self.out.n);
            let remaining_parts: u64 = logs[i..].iter().map(|l| l.3).sum::<u64>().max(1);
            let budget = left * weight / remaining_parts;
            self.logs(&pods[p], c, previous, t, budget)?;
            t += 1;
        }
        // Each section writes at least its share of what is left, so this only runs when
        // there was no log section at all.
        if self.out.n < size {
            let budget = size - self.out.n;
            self.logs(&pods[0], 0, false, t, budget)?;
        }
        self.out.w.flush()
    }

    fn get_pods(&mut self, pods: &[Pod], at: i64) -> io::Result<()> {
        self.prompt(&format!("kubectl get pods -n {NS} -l {SELECTOR} -o wide"), at)?;
        let mut rows =
            vec![["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
                .map(str::to_string)
                .to_vec()];
        for pod in pods {
            let n = pod.containers.len();
            let (ready, status) = if pod.leaks && pod.restarts % 2 == 1 {
                (format!("{}/{n}", n - 1), "CrashLoopBackOff")
            } else {
                (format!("{n}/{n}"), "Running")
            };
            let restarts = if pod.restarts > 0 {
                format!("{} ({}m ago)", pod.restarts, 2 + pod.restarts * 3)
            } else {
                "0".to_string()
            };
            let age = format!("{}m", (at - pod.start) / 60);
            rows.push(vec![
                pod.name.clone(),
                ready,
                status.to_string(),
                restarts,
                age,
                pod.ip.clone(),
                pod.node.clone(),
                "<none>".into(),
                "<none>".into(),
            ]);
        }
        self.table(&rows)
    }

    /// Writes rows padded like kubectl's tabwriter (column width + 3 spaces).
    fn table(&mut self, rows: &[Vec<String>]) -> io::Result<()> {
        let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> =
            (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(String::len).max().unwrap_or(0)).collect();
        for r in rows {
            for (c, cell) in r.iter().enumerate() {
                self.line.push_str(cell);
                if c + 1 < r.len() {
                    for _ in cell.len()..widths[c] + 3 {
                        self.line.push(' ');
                    }
                }
            }
            self.emit()?;
        }
        Ok(())
    }

    fn describe(&mut self, pods: &[Pod], at: i64) -> io::Result<()> {
        self.prompt(&format!("kubectl describe pod -n {NS} -l {SELECTOR}"), at)?;
        for (i, pod) in pods.iter().enumerate() {
            if i > 0 {
                self.raw("")?;
                self.raw("")?;
            }
            let mut s = String::new();
            let _ = write!(
                s,
                "Name:             {name}\nNamespace:        {NS}\nPriority:         0\nService Account:  default\n\
                 Node:             {node}/10.0.0.{nodeip}\nStart Time:       ",
                name = pod.name,
                node = pod.node,
                nodeip = 4 + pod.node.len() % 7,
            );
            ctime_rfc1123(&mut s, pod.start);
            let rs = pod.name.rsplit_once('-').map_or(pod.name.as_str(), |x| x.0);
            let hash = rs.rsplit('-').next().unwrap_or("");
            let _ = write!(
                s,
                "\nLabels:           app={app}\n                  pod-template-hash={hash}\n                  tier=backend\n\
                 Annotations:      <none>\nStatus:           Running\nIP:               {ip}\nIPs:\n  IP:           {ip}\n\
                 Controlled By:  ReplicaSet/{rs}\nContainers:\n",
                app = pod.app,
                ip = pod.ip,
            );
            for &(cname, image, python) in &pod.containers {
                let id = self.suffix(12);
                let _ = write!(
                    s,
                    "  {cname}:\n    Container ID:   containerd://{id}\n    Image:          {image}\n\
                     \x20   Image ID:       {image}@sha256:9f2c\n    Port:           {port}/TCP\n    Host Port:      0/TCP\n",
                    port = if python { 8000 } else { 9102 },
                );
                let crashing = python && pod.leaks && pod.restarts % 2 == 1;
                if crashing {
                    s.push_str("    State:          Waiting\n      Reason:       CrashLoopBackOff\n");
                } else {
                    s.push_str("    State:          Running\n      Started:      ");
                    let restarted = python && pod.restarts > 0;
                    ctime_rfc1123(&mut s, if restarted { pod.last_oom + 15 } else { pod.start + 5 });
                    s.push('\n');
                }
                if python && pod.restarts > 0 {
                    let finished = pod.last_oom;
                    s.push_str("    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n      Started:      ");
                    ctime_rfc1123(&mut s, finished - 1800);
                    s.push_str("\n      Finished:     ");
                    ctime_rfc1123(&mut s, finished);
                    s.push('\n');
                }
                let restarts = if python { pod.restarts } else { 0 };
                let _ = write!(
                    s,
                    "    Ready:          {ready}\n    Restart Count:  {restarts}\n",
                    ready = if crashing { "False" } else { "True" }
                );
                if python {
                    s.push_str(
                        "    Limits:\n      cpu:     500m\n      memory:  512Mi\n    Requests:\n      cpu:     250m\n      memory:  256Mi\n\
                         \x20   Liveness:  http-get http://:8000/healthz delay=10s timeout=1s period=10s #success=1 #failure=3\n\
                         \x20   Environment:\n      PYTHONUNBUFFERED:  1\n      MEMORY_LIMIT:      536870912 (limits.memory)\n",
                    );
                } else {
                    s.push_str("    Limits:\n      memory:  64Mi\n    Requests:\n      memory:     32Mi\n    Environment:    <none>\n");
                }
                s.push_str("    Mounts:\n      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-7xk2p (ro)\n");
            }
            s.push_str(
                "Conditions:\n  Type                        Status\n  PodReadyToStartContainers   True \n  Initialized                 True \n\
                 \x20 Ready                       True \n  ContainersReady             True \n  PodScheduled                True \n\
                 Volumes:\n  kube-api-access-7xk2p:\n    Type:                    Projected (a volume that contains injected data from multiple sources)\n\
                 \x20   TokenExpirationSeconds:  3607\n    ConfigMapName:           kube-root-ca.crt\n    Optional:                false\n\
                 \x20   DownwardAPI:             true\nQoS Class:                   Burstable\nNode-Selectors:              <none>\n\
                 Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n\
                 \x20                            node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n",
            );
            if pod.restarts > 0 {
                let _ = write!(
                    s,
                    "Events:\n  Type     Reason      Age                 From               Message\n  ----     ------      ----                ----               -------\n\
                     \x20 Normal   Pulled      12m (x{r} over 106m)  kubelet            Container image \"registry.example.com/shop/backend:1.4.2\" already present on machine\n\
                     \x20 Warning  BackOff     2m (x{b} over 12m)   kubelet            Back-off restarting failed container {app} in pod {name}_{NS}(3f1c2a9e-1b2c-4d5e-8f90-123456789abc)",
                    r = pod.restarts + 1,
                    b = pod.restarts * 5,
                    app = pod.app,
                    name = pod.name,
                );
            } else {
                s.push_str("Events:                      <none>");
            }
            for l in s.split('\n') {
                self.raw(l)?;
            }
        }
        Ok(())
    }

    fn events(&mut self, pods: &[Pod], at: i64) -> io::Result<()> {
        self.prompt(&format!("kubectl get events -n {NS}"), at)?;
        let mut rows = vec![["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"].map(str::to_string).to_vec()];
        for pod in pods.iter().filter(|p| p.restarts > 0) {
            let obj = format!("pod/{}", pod.name);
            rows.push(vec![
                format!("{}m", 5 + pod.restarts),
                "Normal".into(),
                "Pulled".into(),
                obj.clone(),
                "Container image \"registry.example.com/shop/backend:1.4.2\" already present on machine".into(),
            ]);
            rows.push(vec![
                format!("{}m", 2 + pod.restarts % 3),
                "Warning".into(),
                "BackOff".into(),
                obj,
                format!(
                    "Back-off restarting failed container {} in pod {}_{NS}(3f1c2a9e-1b2c-4d5e-8f90-123456789abc)",
                    pod.app, pod.name
                ),
            ]);
        }
        self.table(&rows)
    }

    /// Memory of a container at sample `k` of `n`: leaking ones climb toward the limit.
    fn memory(&mut self, pod: &Pod, python: bool, k: i64, n: i64) -> u64 {
        if !python {
            return 18 * MI + self.rng.u64(0..4 * MI);
        }
        let base = 180 * MI + self.rng.u64(0..20 * MI);
        if pod.leaks {
            // From ~200Mi up to ~95% of the limit over the sampling window.
            let span = LIMIT * 95 / 100 - 200 * MI;
            base + span * k as u64 / n.max(1) as u64
        } else {
            base + self.rng.u64(0..30 * MI)
        }
    }

    fn top(&mut self, pods: &[Pod], at: i64, k: i64, n: i64) -> io::Result<()> {
        self.prompt(&format!("kubectl top pod -n {NS} -l {SELECTOR} --containers"), at)?;
        let mut rows = vec![["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"].map(str::to_string).to_vec()];
        for pod in pods {
            for &(cname, _, python) in &pod.containers {
                let mem = self.memory(pod, python, k, n);
                let cpu = if python { 150 + self.rng.u32(0..120) } else { 1 + self.rng.u32(0..5) };
                rows.push(vec![pod.name.clone(), cname.to_string(), format!("{cpu}m"), format!("{}Mi", mem / MI)]);
            }
        }
        self.table(&rows)
    }

    /// One `kubectl logs --timestamps` section of about `budget` bytes.
    fn logs(&mut self, pod: &Pod, c: usize, previous: bool, at: i64, budget: u64) -> io::Result<()> {
        let (cname, _, python) = pod.containers[c];
        let prev = if previous { " --previous" } else { "" };
        self.prompt(&format!("kubectl logs -n {NS} {} -c {cname} --timestamps --tail=-1{prev}", pod.name), at)?;
        // Log time runs from the container's start to its end (the OOM kill for
        // `--previous`, the capture otherwise).
        let restarted = python && pod.restarts > 0;
        let (t0, t1) = if previous {
            (pod.last_oom - 1800, pod.last_oom)
        } else {
            (if restarted { pod.last_oom + 15 } else { pod.start + 5 }, at)
        };
        let span_ns = (t1 - t0).max(1) as u128 * 1_000_000_000;
        let begin = self.out.n;
        let end = begin + budget;
        let mut cache: u64 = 1000 + self.rng.u64(0..500);
        let mut queue: u64 = self.rng.u64(0..20);
        let mut processed: u64 = 0;
        let mut req_id: u64 = 40_000 + self.rng.u64(0..10_000);
        let log_name = match pod.app {
            "worker" => "shop.worker",
            "api" => "shop.api",
            _ => "shop.ingest",
        };
        while self.out.n < end {
            // Time advances with the bytes written, so the last line lands at `t1`.
            let ns = span_ns * u128::from(self.out.n - begin) / u128::from(budget.max(1));
            let secs = t0 + (ns / 1_000_000_000) as i64;
            let nanos = ((ns % 1_000_000_000) as u32 + self.rng.u32(0..1000)).min(999_999_999);
            if !python {
                self.stamp(secs, nanos);
                let _ = write!(
                    self.line,
                    "ts={} caller=listener.go:{} level={} msg=\"{}\"",
                    Stamp(secs, nanos / 1_000_000),
                    100 + self.rng.u32(0..40),
                    if self.rng.u8(0..20) == 0 { "warn" } else { "info" },
                    ["Accepted new connection", "Incoming line", "Flushing metrics", "Received UDP packet"]
                        [self.rng.usize(0..4)],
                );
                self.emit()?;
                continue;
            }
            let roll = self.rng.u32(0..1000);
            let leaks = pod.leaks;
            match roll {
                // uvicorn access lines: most of a busy log.
                0..=449 => {
                    self.stamp(secs, nanos);
                    let path =
                        ["/api/orders/", "/api/carts/", "/api/products/", "/healthz", "/metrics"][self.rng.usize(0..5)];
                    let _ = write!(
                        self.line,
                        "INFO:     10.244.{}.{}:{} - \"{} {}{} HTTP/1.1\" {}",
                        self.rng.u8(0..8),
                        self.rng.u8(1..250),
                        30_000 + self.rng.u32(0..30_000),
                        if self.rng.u8(0..4) == 0 { "POST" } else { "GET" },
                        path,
                        if path.ends_with('/') { self.rng.u32(1..99_999).to_string() } else { String::new() },
                        if self.rng.u8(0..50) == 0 { "500 Internal Server Error" } else { "200 OK" },
                    );
                    self.emit()?;
                }
                450..=699 => {
                    self.py_prefix(secs, nanos, "DEBUG", "shop.db");
                    let _ = write!(
                        self.line,
                        "query {} took {}.{} ms rows={}",
                        ["SELECT orders", "SELECT products", "UPDATE carts", "INSERT events"][self.rng.usize(0..4)],
                        self.rng.u32(0..40),
                        self.rng.u32(0..10),
                        self.rng.u32(0..200)
                    );
                    self.emit()?;
                }
                700..=849 => {
                    req_id += 1;
                    self.py_prefix(secs, nanos, "INFO", log_name);
                    let _ = write!(
                        self.line,
                        "handled order {req_id} in {}.{} ms",
                        self.rng.u32(1..300),
                        self.rng.u32(0..10)
                    );
                    self.emit()?;
                }
                850..=889 => {
                    // Leak series: grows on leaking pods, hovers elsewhere.
                    if leaks {
                        cache += self.rng.u64(1..40);
                    } else {
                        cache = (cache + self.rng.u64(0..40)).saturating_sub(self.rng.u64(0..40)).clamp(800, 2000);
                    }
                    self.py_prefix(secs, nanos, "INFO", "shop.cache");
                    let _ = write!(self.line, "cache size={cache} entries");
                    self.emit()?;
                }
                890..=919 => {
                    if leaks {
                        queue += self.rng.u64(0..4);
                    } else {
                        queue = self.rng.u64(0..20);
                    }
                    self.py_prefix(secs, nanos, "INFO", "shop.queue");
                    let _ = write!(self.line, "queue length {queue}");
                    self.emit()?;
                }
                920..=949 => {
                    processed += self.rng.u64(50..150);
                    self.py_prefix(secs, nanos, "INFO", log_name);
                    let _ = write!(self.line, "processed total: {processed}");
                    self.emit()?;
                }
                950..=969 => {
                    let gen = self.rng.u8(0..3);
                    let objects = if leaks { 50_000 + cache * 12 } else { 40_000 + self.rng.u64(0..5000) };
                    self.stamp(secs, nanos);
                    let _ = write!(self.line, "gc: collecting generation {gen}...");
                    self.emit()?;
                    self.stamp(secs, nanos);
                    let _ = write!(
                        self.line,
                        "gc: objects in each generation: {} {} {objects}",
                        self.rng.u32(0..700),
                        self.rng.u32(0..5000)
                    );
                    self.emit()?;
                    self.stamp(secs, nanos);
                    let _ = write!(
                        self.line,
                        "gc: done, {} unreachable, 0 uncollectable, 0.{:04}s elapsed",
                        self.rng.u32(0..400),
                        self.rng.u32(1..2000)
                    );
                    self.emit()?;
                }
                970..=989 => {
                    self.py_prefix(secs, nanos, "WARNING", log_name);
                    let _ = write!(self.line, "slow request: order {req_id} took {} ms", 1000 + self.rng.u32(0..4000));
                    self.emit()?;
                }
                990..=996 => {
                    self.py_prefix(secs, nanos, "INFO", "shop.memory");
                    let rss = if leaks { 200 + cache / 80 } else { 190 + self.rng.u64(0..30) };
                    let _ = write!(self.line, "Memory usage: rss={rss}.{}MiB", self.rng.u8(0..10));
                    self.emit()?;
                }
                _ => {
                    self.py_prefix(secs, nanos, "ERROR", log_name);
                    let _ = write!(self.line, "failed to handle order {req_id}");
                    self.emit()?;
                    for l in [
                        "Traceback (most recent call last):".to_string(),
                        "  File \"/app/shop/worker.py\", line 88, in handle".into(),
                        "    result = process(order)".into(),
                        "  File \"/app/shop/orders.py\", line 142, in process".into(),
                        "    raise ValueError(f\"invalid order {order.id}\")".into(),
                        format!("ValueError: invalid order {req_id}"),
                    ] {
                        self.stamp(secs, nanos);
                        self.line.push_str(&l);
                        self.emit()?;
                    }
                }
            }
        }
        Ok(())
    }

    /// `kubectl logs --timestamps` prefix: RFC 3339 with nanoseconds and a space.
    fn stamp(&mut self, secs: i64, nanos: u32) {
        rfc3339(&mut self.line, secs, Some(nanos));
        self.line.push(' ');
    }

    /// Timestamp, then Python logging's `2026-11-24 08:13:01,123 INFO [name] `.
    fn py_prefix(&mut self, secs: i64, nanos: u32, level: &str, logger: &str) {
        self.stamp(secs, nanos);
        let (y, mo, d, h, mi, s) = civil(secs);
        let _ =
            write!(self.line, "{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02},{:03} {level} [{logger}] ", nanos / 1_000_000);
    }
}

/// `ts=` value of the Go sidecar: RFC 3339 with milliseconds.
struct Stamp(i64, u32);

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, mo, d, h, mi, s) = civil(self.0);
        write!(f, "{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z", self.1)
    }
}

/// Unix seconds → (year, month, day, hour, minute, second), UTC (proleptic Gregorian;
/// H. Hinnant's `civil_from_days`).
fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, sod / 3600, sod / 60 % 60, sod % 60)
}

fn rfc3339(out: &mut String, secs: i64, nanos: Option<u32>) {
    let (y, mo, d, h, mi, s) = civil(secs);
    let _ = write!(out, "{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    if let Some(n) = nanos {
        let _ = write!(out, ".{n:09}");
    }
    out.push('Z');
}

/// `Tue, 24 Nov 2026 08:12:40 +0000`, as `describe` prints times.
fn ctime_rfc1123(out: &mut String, secs: i64) {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (y, mo, d, h, mi, s) = civil(secs);
    let wd = DAYS[secs.div_euclid(86_400).rem_euclid(7) as usize];
    let _ = write!(out, "{wd}, {d:02} {} {y} {h:02}:{mi:02}:{s:02} +0000", MONTHS[(mo - 1) as usize]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("200MB"), Ok(200_000_000));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("5MiB"), Ok(5 << 20));
        assert_eq!(parse_size("1.5KB"), Ok(1500));
        assert_eq!(parse_size("123"), Ok(123));
        assert!(parse_size("12 parsecs").is_err());
    }

    #[test]
    fn times() {
        let mut s = String::new();
        rfc3339(&mut s, CAPTURE_START, Some(5));
        assert_eq!(s, "2026-11-24T10:00:00.000000005Z");
        let mut s = String::new();
        ctime_rfc1123(&mut s, CAPTURE_START);
        assert_eq!(s, "Tue, 24 Nov 2026 10:00:00 +0000");
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
    }

    #[test]
    fn deterministic_sized_and_shaped() {
        let opts = Options { size: 300_000, seed: 7 };
        let a = generate_string(&opts);
        assert_eq!(a, generate_string(&opts));
        assert_ne!(a, generate_string(&Options { size: 300_000, seed: 8 }));
        assert!(a.len() >= 300_000 && a.len() < 301_000, "{}", a.len());
        assert!(a.starts_with("# kubeleak-bundle: 1\n"));
        for needle in [
            "kubectl get pods -n shop -l tier=backend -o wide  # at 2026-11-24T10:00:01Z",
            "      Reason:       OOMKilled",
            "      memory:  512Mi",
            "--containers  # at 2026-11-24T10:00:05Z",
            "POD   ",
            "--timestamps --tail=-1 --previous  # at ",
            "cache size=",
            "queue length ",
            "processed total: ",
        ] {
            assert!(a.contains(needle), "missing {needle:?}");
        }
    }
}
