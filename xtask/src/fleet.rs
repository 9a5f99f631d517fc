//! Bundles of many replicas (issue 23): workloads whose replicas grow or stay flat, as
//! `kubectl get pods -o json` (owner references, nodes, limits, start times, image
//! digests) and `kubectl top pod` samples with `# at` times. Deterministic: the same
//! spec gives the same text. Plain std, so the tests (`tests/workloads.rs`) and the
//! bench (`crates/analysis/benches/fleet.rs`) include this file by path.
//!
//! `cargo xtask gen-fleet -o api40.txt` writes the 40-replica Deployment of the issue: 8
//! samples over 35 minutes, 6 replicas growing ~144 MiB/h on node ip-10-0-3-17, 34 flat.

use std::fmt::Write as _;

/// How a workload's pods are named and owned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// `NAME-<hash>-<suffix>`, owned by ReplicaSet `NAME-<hash>`.
    Deployment,
    /// `NAME-<n>`, owned by StatefulSet `NAME`.
    StatefulSet,
    /// The name as given, no owner.
    Bare,
}

/// One workload of the bundle.
#[derive(Clone, Debug)]
pub struct Workload {
    pub name: String,
    pub kind: Kind,
    pub replicas: usize,
    /// The first `growing` replicas grow; the others are flat.
    pub growing: usize,
    /// MiB per hour of the growing replicas (each a little apart: ±2 %).
    pub rate_mib_h: f64,
    /// MiB per hour of the flat replicas (0 for flat).
    pub flat_rate_mib_h: f64,
    /// Node of the growing replicas (`None`: spread like the others).
    pub growing_node: Option<String>,
    pub limit_mib: u64,
    /// Whether the pods are in the `-o json` listing (owner references, nodes, limits).
    pub listed: bool,
}

impl Workload {
    pub fn new(name: &str, kind: Kind, replicas: usize, growing: usize) -> Workload {
        Workload {
            name: name.into(),
            kind,
            replicas,
            growing,
            rate_mib_h: 144.0,
            flat_rate_mib_h: 0.0,
            growing_node: None,
            limit_mib: 1024,
            listed: true,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Spec {
    pub namespace: String,
    pub workloads: Vec<Workload>,
    /// `top` samples, evenly spread over `minutes`.
    pub samples: usize,
    pub minutes: i64,
    /// Nodes the pods are spread over (the growing node comes on top).
    pub nodes: usize,
    /// Up and down noise of every sample, MiB.
    pub noise_mib: u64,
    pub seed: u64,
}

impl Spec {
    /// The case: Deployment `api`, 40 replicas, 6 growing ~144 MiB/h on node
    /// ip-10-0-3-17, 8 samples over 35 minutes.
    pub fn api40() -> Spec {
        let mut api = Workload::new("api", Kind::Deployment, 40, 6);
        api.growing_node = Some("ip-10-0-3-17".into());
        Spec {
            namespace: "shop".into(),
            workloads: vec![api],
            samples: 8,
            minutes: 35,
            nodes: 5,
            noise_mib: 1,
            seed: 1,
        }
    }

    /// `pods` replicas of one Deployment, `samples` samples an hour apart: the scale case.
    pub fn scale(pods: usize, samples: usize) -> Spec {
        let mut w = Workload::new("api", Kind::Deployment, pods, pods / 10);
        w.growing_node = Some("ip-10-0-3-17".into());
        Spec {
            namespace: "shop".into(),
            workloads: vec![w],
            samples,
            minutes: 60 * (samples as i64 - 1).max(1),
            nodes: 20,
            noise_mib: 2,
            seed: 7,
        }
    }
}

const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
/// 2026-11-24T10:00:00Z.
const T0: i64 = 1_795_514_400;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn safe(&mut self, n: usize) -> String {
        (0..n).map(|_| SAFE[(self.next() % SAFE.len() as u64) as usize] as char).collect()
    }
}

fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

struct Pod {
    name: String,
    owner: Option<(&'static str, String)>,
    node: String,
    rate: f64,
    base: u64,
    limit: u64,
    listed: bool,
}

/// The bundle's text.
pub fn bundle(spec: &Spec) -> String {
    let mut rng = Rng(spec.seed);
    let nodes: Vec<String> = (0..spec.nodes.max(1)).map(|i| format!("ip-10-0-{}-{}", i + 1, 10 + i * 7)).collect();
    let mut pods = Vec::new();
    for w in &spec.workloads {
        let hash = rng.safe(10);
        for i in 0..w.replicas {
            let growing = i < w.growing;
            let (name, owner) = match w.kind {
                Kind::Deployment => {
                    let rs = format!("{}-{hash}", w.name);
                    (format!("{rs}-{}", rng.safe(5)), Some(("ReplicaSet", rs)))
                }
                Kind::StatefulSet => (format!("{}-{i}", w.name), Some(("StatefulSet", w.name.clone()))),
                Kind::Bare => (w.name.clone(), None),
            };
            let node = match (&w.growing_node, growing) {
                (Some(n), true) => n.clone(),
                _ => nodes[(rng.next() % nodes.len() as u64) as usize].clone(),
            };
            let spread = 1.0 + ((rng.next() % 41) as f64 - 20.0) / 1000.0;
            pods.push(Pod {
                name,
                owner,
                node,
                rate: if growing { w.rate_mib_h * spread } else { w.flat_rate_mib_h * spread },
                base: 300 + rng.next() % 60,
                limit: w.limit_mib,
                listed: w.listed,
            });
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "# kubeleak-bundle: 1");
    let _ = writeln!(out, "$ kubectl get pods -n {} -o json  # at {}", spec.namespace, rfc3339(T0));
    out.push_str("{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n");
    let listed: Vec<&Pod> = pods.iter().filter(|p| p.listed).collect();
    for (i, p) in listed.iter().enumerate() {
        let owner = match &p.owner {
            Some((kind, name)) => format!(
                ", \"ownerReferences\": [{{\"apiVersion\": \"apps/v1\", \"kind\": \"{kind}\", \"name\": \"{name}\", \"controller\": true}}]"
            ),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{{\"kind\": \"Pod\", \"metadata\": {{\"name\": \"{}\", \"namespace\": \"{}\"{owner}}}, \"spec\": {{\"nodeName\": \"{}\", \
\"containers\": [{{\"name\": \"app\", \"image\": \"registry.example.com/shop/app:1.4.2\", \"resources\": {{\"limits\": {{\"memory\": \"{}Mi\"}}, \
\"requests\": {{\"memory\": \"{}Mi\"}}}}}}]}}, \"status\": {{\"phase\": \"Running\", \"qosClass\": \"Burstable\", \"startTime\": \"{}\", \
\"containerStatuses\": [{{\"name\": \"app\", \"ready\": true, \"restartCount\": 0, \"imageID\": \"registry.example.com/shop/app@sha256:4f5e\", \
\"state\": {{\"running\": {{\"startedAt\": \"{}\"}}}}}}]}}}}{}",
            p.name,
            spec.namespace,
            p.node,
            p.limit,
            p.limit / 2,
            rfc3339(T0 - 86_400),
            rfc3339(T0 - 86_400),
            if i + 1 < listed.len() { "," } else { "" }
        );
    }
    out.push_str("]}\n");
    let step = if spec.samples > 1 { spec.minutes * 60 / (spec.samples as i64 - 1) } else { 0 };
    let width = pods.iter().map(|p| p.name.len()).max().unwrap_or(4).max(4) + 3;
    for k in 0..spec.samples {
        let at = T0 + 60 + step * k as i64;
        let _ = writeln!(out, "$ kubectl top pod -n {}  # at {}", spec.namespace, rfc3339(at));
        let _ = writeln!(out, "{:<width$}CPU(cores)   MEMORY(bytes)", "NAME");
        let hours = (step * k as i64) as f64 / 3600.0;
        for p in &pods {
            let noise = if spec.noise_mib == 0 { 0 } else { rng.next() % (2 * spec.noise_mib + 1) };
            let mib = (p.base as f64 + p.rate * hours).round() as u64 + noise;
            let _ = writeln!(out, "{:<width$}{:<13}{}Mi", p.name, format!("{}m", 20 + rng.next() % 30), mib);
        }
    }
    out
}
