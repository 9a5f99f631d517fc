//! Scenario builder: realistic kubeleak bundles as TEXT, the way the collector writes
//! them (docs/bundle-format.md): a header, then `$ kubectl …  # at <time>` prompts with
//! their verbatim output — `get pods -o wide`, `describe pod`, `get events`, `top pod
//! --containers` sampled over time, and `logs --timestamps` (with `--previous` for the
//! run that was killed).
//!
//! Shapes follow kubectl's printers (`describe.go`, `get` table printers, `top`):
//! describe times as `Tue, 24 Nov 2026 08:47:31 +0000`, RESTARTS as `4 (38s ago)`,
//! event ages as `12s (x9 over 4h)`. Example:
//! ```ignore
//! let mut b = Bundle::new("shop");
//! let pod = Pod::new("worker-7d9f8b6c5-x2x9k").container(C::new("worker").limit("512Mi"));
//! b.describe(&[&pod]);
//! b.top(&[("worker-7d9f8b6c5-x2x9k", "worker", &[300, 320, 340, 360])], 10);
//! let text = b.text();
//! ```

#![allow(dead_code)]

use jiff::{SignedDuration, Timestamp};

/// Capture start of every scenario.
pub const T0: &str = "2026-11-24T10:00:00Z";

pub fn t0() -> Timestamp {
    T0.parse().expect("T0")
}

/// `t0 + minutes` (negative for the past).
pub fn at_min(minutes: i64) -> Timestamp {
    t0() + SignedDuration::from_mins(minutes)
}

fn describe_time(t: Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// A kubectl age, as `get pods`/`get events` print it.
pub fn age(d: SignedDuration) -> String {
    let s = d.as_secs().max(0);
    if s < 120 {
        format!("{s}s")
    } else if s < 600 {
        format!("{}m{}s", s / 60, s % 60)
    } else if s < 3 * 3600 {
        format!("{}m", s / 60)
    } else if s < 8 * 3600 {
        let (h, m) = (s / 3600, s % 3600 / 60);
        if m == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{m}m")
        }
    } else if s < 2 * 86400 {
        format!("{}h", s / 3600)
    } else {
        format!("{}d", s / 86400)
    }
}

/// A container's termination.
#[derive(Clone, Debug)]
pub struct Term {
    pub reason: &'static str,
    pub exit: i32,
    pub started: Timestamp,
    pub finished: Timestamp,
}

#[derive(Clone, Debug)]
pub enum State {
    Running(Timestamp),
    Waiting(&'static str),
    Terminated(Term),
}

/// A container of a pod.
#[derive(Clone, Debug)]
pub struct C {
    pub name: String,
    pub image: String,
    pub limit: Option<String>,
    pub request: Option<String>,
    pub state: State,
    pub last: Option<Term>,
    pub restarts: u32,
    pub ready: bool,
}

impl C {
    pub fn new(name: &str) -> C {
        C {
            name: name.into(),
            image: format!("registry.example.com/shop/{name}:1.4.2"),
            limit: None,
            request: None,
            state: State::Running(at_min(-300)),
            last: None,
            restarts: 0,
            ready: true,
        }
    }
    pub fn limit(mut self, q: &str) -> C {
        self.limit = Some(q.into());
        self
    }
    pub fn request(mut self, q: &str) -> C {
        self.request = Some(q.into());
        self
    }
    pub fn running_since(mut self, t: Timestamp) -> C {
        self.state = State::Running(t);
        self
    }
    pub fn waiting(mut self, reason: &'static str) -> C {
        self.state = State::Waiting(reason);
        self.ready = false;
        self
    }
    pub fn terminated(mut self, t: Term) -> C {
        self.state = State::Terminated(t);
        self.ready = false;
        self
    }
    pub fn last(mut self, t: Term) -> C {
        self.last = Some(t);
        self
    }
    pub fn restarts(mut self, n: u32) -> C {
        self.restarts = n;
        self
    }
}

/// An event about a pod (or its node).
#[derive(Clone, Debug)]
pub struct Ev {
    pub kind: &'static str,
    pub reason: &'static str,
    pub last_seen: SignedDuration,
    /// (count, first seen ago) for `(x9 over 4h)`.
    pub repeat: Option<(u32, SignedDuration)>,
    pub from: &'static str,
    pub message: String,
    /// `pod/NAME` or `node/NAME` in `get events`.
    pub object: String,
}

impl Ev {
    pub fn warning(reason: &'static str, message: &str) -> Ev {
        Ev {
            kind: "Warning",
            reason,
            last_seen: SignedDuration::from_secs(41),
            repeat: None,
            from: "kubelet",
            message: message.into(),
            object: String::new(),
        }
    }
    pub fn repeat(mut self, n: u32, over: SignedDuration) -> Ev {
        self.repeat = Some((n, over));
        self
    }
}

#[derive(Clone, Debug)]
pub struct Pod {
    pub name: String,
    pub node: String,
    pub phase: &'static str,
    /// What `get pods` shows in STATUS when it differs from the phase (CrashLoopBackOff, OOMKilled, Evicted).
    pub status: Option<&'static str>,
    pub reason: Option<&'static str>,
    pub message: Option<String>,
    pub containers: Vec<C>,
    pub events: Vec<Ev>,
    pub qos: &'static str,
    pub started: Timestamp,
}

impl Pod {
    pub fn new(name: &str) -> Pod {
        Pod {
            name: name.into(),
            node: "gke-prod-pool-1-a1".into(),
            phase: "Running",
            status: None,
            reason: None,
            message: None,
            containers: Vec::new(),
            events: Vec::new(),
            qos: "Burstable",
            started: at_min(-312),
        }
    }
    pub fn container(mut self, c: C) -> Pod {
        self.containers.push(c);
        self
    }
    pub fn event(mut self, e: Ev) -> Pod {
        self.events.push(e);
        self
    }
    pub fn status(mut self, s: &'static str) -> Pod {
        self.status = Some(s);
        self
    }
    pub fn evicted(mut self, message: &str) -> Pod {
        self.phase = "Failed";
        self.status = Some("Evicted");
        self.reason = Some("Evicted");
        self.message = Some(message.into());
        for c in &mut self.containers {
            c.state = State::Terminated(Term {
                reason: "ContainerStatusUnknown",
                exit: 137,
                started: at_min(-312),
                finished: at_min(-20),
            });
            c.ready = false;
        }
        self
    }
    fn restarts(&self) -> u32 {
        self.containers.iter().map(|c| c.restarts).sum()
    }
}

/// Pads rows into kubectl's columns (3 spaces between columns for `get`, 2 in
/// describe's event table).
fn table(rows: &[Vec<String>]) -> String {
    table_pad(rows, 3)
}

fn table_pad(rows: &[Vec<String>], pad: usize) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|i| rows.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < r.len() {
                line.push_str(&" ".repeat(widths[i] - c.chars().count() + pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One bundle under construction.
pub struct Bundle {
    ns: String,
    out: String,
    /// Time of the next command.
    clock: Timestamp,
}

impl Bundle {
    pub fn new(ns: &str) -> Bundle {
        let mut out = String::new();
        out.push_str("# kubeleak-bundle: 1\n");
        out.push_str(&format!("# captured-at: {T0}\n"));
        out.push_str("# context: prod-eu-1\n");
        out.push_str(&format!("# namespace: {ns}\n"));
        out.push_str("# selector: app=worker\n");
        out.push_str("# redacted: 0\n");
        out.push_str("# interrupted: false\n\n");
        Bundle { ns: ns.into(), out, clock: t0() }
    }

    fn cmd(&mut self, cmd: &str) {
        self.out.push_str(&format!("$ {cmd}  # at {}\n", self.clock));
        self.clock += SignedDuration::from_secs(1);
    }

    pub fn get_pods(&mut self, pods: &[&Pod]) -> &mut Self {
        self.cmd(&format!("kubectl get pods -n {} -l app=worker -o wide", self.ns));
        let mut rows =
            vec![["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
                .map(String::from)
                .to_vec()];
        for (i, p) in pods.iter().enumerate() {
            let ready = p.containers.iter().filter(|c| c.ready).count();
            let restarts = p.restarts();
            let last_restart = p.containers.iter().filter_map(|c| c.last.as_ref()).map(|t| t.finished).max();
            let restarts = match last_restart {
                Some(t) if restarts > 0 => format!("{restarts} ({} ago)", age(t0().duration_since(t))),
                _ => restarts.to_string(),
            };
            rows.push(vec![
                p.name.clone(),
                format!("{ready}/{}", p.containers.len()),
                p.status.unwrap_or(p.phase).to_string(),
                restarts,
                age(t0().duration_since(p.started)),
                format!("10.44.2.{}", 17 + i),
                p.node.clone(),
                "<none>".into(),
                "<none>".into(),
            ]);
        }
        self.out.push_str(&table(&rows));
        self.out.push('\n');
        self
    }

    /// `kubectl get pods -o json`: a `List` of pods with spec resources and container statuses.
    pub fn get_pods_json(&mut self, pods: &[&Pod]) -> &mut Self {
        use serde_json::json;
        self.cmd(&format!("kubectl get pods -n {} -l app=worker -o json", self.ns));
        let term = |t: &Term| {
            json!({"terminated": {
                "containerID": "containerd://4f1c2a9e0b7d",
                "exitCode": t.exit,
                "reason": t.reason,
                "startedAt": t.started.to_string(),
                "finishedAt": t.finished.to_string(),
            }})
        };
        let items: Vec<serde_json::Value> = pods
            .iter()
            .map(|p| {
                let containers: Vec<serde_json::Value> = p
                    .containers
                    .iter()
                    .map(|c| {
                        let mut limits = serde_json::Map::new();
                        let mut requests = serde_json::Map::new();
                        limits.insert("cpu".into(), "1".into());
                        requests.insert("cpu".into(), "250m".into());
                        if let Some(l) = &c.limit {
                            limits.insert("memory".into(), l.clone().into());
                        }
                        if let Some(r) = &c.request {
                            requests.insert("memory".into(), r.clone().into());
                        }
                        json!({
                            "name": c.name,
                            "image": c.image,
                            "imagePullPolicy": "IfNotPresent",
                            "resources": {"limits": limits, "requests": requests},
                            "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "File",
                        })
                    })
                    .collect();
                let statuses: Vec<serde_json::Value> = p
                    .containers
                    .iter()
                    .map(|c| {
                        let state = match &c.state {
                            State::Running(t) => json!({"running": {"startedAt": t.to_string()}}),
                            State::Waiting(r) => json!({"waiting": {"reason": r, "message": format!("back-off 5m0s restarting failed container={} pod={}", c.name, p.name)}}),
                            State::Terminated(t) => term(t),
                        };
                        json!({
                            "containerID": "containerd://4f1c2a9e0b7d",
                            "image": c.image,
                            "imageID": format!("{}@sha256:9b1e0c", c.image),
                            "lastState": c.last.as_ref().map(term).unwrap_or_else(|| json!({})),
                            "name": c.name,
                            "ready": c.ready,
                            "restartCount": c.restarts,
                            "started": c.ready,
                            "state": state,
                        })
                    })
                    .collect();
                let mut status = json!({
                    "phase": p.phase,
                    "qosClass": p.qos,
                    "hostIP": "10.128.2.17",
                    "podIP": "10.44.2.17",
                    "startTime": p.started.to_string(),
                    "containerStatuses": statuses,
                });
                if let (Some(r), Some(m)) = (p.reason, &p.message) {
                    status["reason"] = r.into();
                    status["message"] = m.clone().into();
                }
                json!({
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {
                        "name": p.name,
                        "namespace": self.ns,
                        "labels": {"app": "worker", "pod-template-hash": "7d9f8b6c5"},
                        "uid": "0b6f1c55-3f0e-4d1e-9a57-2f1f4e0c7d21",
                    },
                    "spec": {"containers": containers, "nodeName": p.node, "restartPolicy": "Always"},
                    "status": status,
                })
            })
            .collect();
        let list = json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}});
        self.out.push_str(&serde_json::to_string_pretty(&list).expect("json"));
        self.out.push_str("\n\n");
        self
    }

    pub fn describe(&mut self, pods: &[&Pod]) -> &mut Self {
        self.cmd(&format!("kubectl describe pod -n {} -l app=worker", self.ns));
        for (i, p) in pods.iter().enumerate() {
            if i > 0 {
                self.out.push('\n');
            }
            let o = &mut self.out;
            o.push_str(&format!("Name:             {}\n", p.name));
            o.push_str(&format!("Namespace:        {}\n", self.ns));
            o.push_str("Priority:         0\n");
            o.push_str("Service Account:  default\n");
            o.push_str(&format!("Node:             {}/10.128.2.{}\n", p.node, 17 + i));
            o.push_str(&format!("Start Time:       {}\n", describe_time(p.started)));
            o.push_str("Labels:           app=worker\n");
            o.push_str("                  pod-template-hash=7d9f8b6c5\n");
            o.push_str("Annotations:      <none>\n");
            o.push_str(&format!("Status:           {}\n", p.phase));
            if let Some(r) = p.reason {
                o.push_str(&format!("Reason:           {r}\n"));
            }
            if let Some(m) = &p.message {
                o.push_str(&format!("Message:          {m}\n"));
            }
            o.push_str(&format!("IP:               10.44.2.{}\n", 17 + i));
            o.push_str("IPs:\n");
            o.push_str(&format!("  IP:           10.44.2.{}\n", 17 + i));
            o.push_str("Controlled By:  ReplicaSet/worker-7d9f8b6c5\n");
            o.push_str("Containers:\n");
            for c in &p.containers {
                o.push_str(&format!("  {}:\n", c.name));
                o.push_str("    Container ID:   containerd://4f1c2a9e0b7d\n");
                o.push_str(&format!("    Image:          {}\n", c.image));
                o.push_str(&format!("    Image ID:       {}@sha256:9b1e0c\n", c.image));
                o.push_str("    Port:           8080/TCP\n");
                o.push_str("    Host Port:      0/TCP\n");
                match &c.state {
                    State::Running(t) => {
                        o.push_str("    State:          Running\n");
                        o.push_str(&format!("      Started:      {}\n", describe_time(*t)));
                    }
                    State::Waiting(r) => {
                        o.push_str("    State:          Waiting\n");
                        o.push_str(&format!("      Reason:       {r}\n"));
                    }
                    State::Terminated(t) => push_term(o, "State:     ", t),
                }
                if let Some(t) = &c.last {
                    push_term(o, "Last State:", t);
                }
                o.push_str(&format!("    Ready:          {}\n", if c.ready { "True" } else { "False" }));
                o.push_str(&format!("    Restart Count:  {}\n", c.restarts));
                if let Some(l) = &c.limit {
                    o.push_str("    Limits:\n");
                    o.push_str("      cpu:     1\n");
                    o.push_str(&format!("      memory:  {l}\n"));
                }
                o.push_str("    Requests:\n");
                o.push_str("      cpu:        250m\n");
                if let Some(r) = &c.request {
                    o.push_str(&format!("      memory:     {r}\n"));
                }
                o.push_str("    Environment:\n");
                o.push_str("      LOG_LEVEL:  INFO\n");
                o.push_str("    Mounts:\n");
                o.push_str("      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-7x2lq (ro)\n");
            }
            o.push_str("Conditions:\n");
            o.push_str("  Type                        Status\n");
            o.push_str("  PodReadyToStartContainers   True\n");
            o.push_str("  Initialized                 True\n");
            let ready = p.containers.iter().all(|c| c.ready);
            let tf = if ready { "True" } else { "False" };
            o.push_str(&format!("  Ready                       {tf}\n"));
            o.push_str(&format!("  ContainersReady             {tf}\n"));
            o.push_str("  PodScheduled                True\n");
            o.push_str("Volumes:\n");
            o.push_str("  kube-api-access-7x2lq:\n");
            o.push_str(
                "    Type:                    Projected (a volume that contains injected data from multiple sources)\n",
            );
            o.push_str("    TokenExpirationSeconds:  3607\n");
            o.push_str(&format!("QoS Class:                   {}\n", p.qos));
            o.push_str("Node-Selectors:              <none>\n");
            o.push_str("Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n");
            o.push_str("                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n");
            if p.events.is_empty() {
                o.push_str("Events:                      <none>\n");
            } else {
                o.push_str("Events:\n");
                let mut rows = vec![
                    ["Type", "Reason", "Age", "From", "Message"].map(String::from).to_vec(),
                    ["----", "------", "----", "----", "-------"].map(String::from).to_vec(),
                ];
                for e in &p.events {
                    let a = match e.repeat {
                        Some((n, over)) => format!("{} (x{n} over {})", age(e.last_seen), age(over)),
                        None => age(e.last_seen),
                    };
                    rows.push(vec![e.kind.into(), e.reason.into(), a, e.from.into(), e.message.clone()]);
                }
                for line in table_pad(&rows, 2).lines() {
                    o.push_str("  ");
                    o.push_str(line);
                    o.push('\n');
                }
            }
        }
        self.out.push('\n');
        self
    }

    /// `kubectl get events -n NS` with the pods' events (and node events given here).
    pub fn events(&mut self, pods: &[&Pod], node_events: &[Ev]) -> &mut Self {
        self.cmd(&format!("kubectl get events -n {}", self.ns));
        let mut rows = vec![["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"].map(String::from).to_vec()];
        for e in node_events {
            rows.push(vec![age(e.last_seen), e.kind.into(), e.reason.into(), e.object.clone(), e.message.clone()]);
        }
        for p in pods {
            for e in &p.events {
                rows.push(vec![
                    age(e.last_seen),
                    e.kind.into(),
                    e.reason.into(),
                    format!("pod/{}", p.name),
                    e.message.clone(),
                ]);
            }
        }
        self.out.push_str(&table(&rows));
        self.out.push('\n');
        self
    }

    /// `top pod --containers` once per sample, `every_min` minutes apart, from the
    /// capture start. Each series is (pod, container, MiB values); all the same length.
    pub fn top(&mut self, series: &[(&str, &str, &[u64])], every_min: i64) -> &mut Self {
        let n = series.iter().map(|s| s.2.len()).max().unwrap_or(0);
        let start = self.clock;
        for i in 0..n {
            self.clock = start + SignedDuration::from_mins(every_min * i as i64);
            self.cmd(&format!("kubectl top pod -n {} -l app=worker --containers", self.ns));
            let mut rows = vec![["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"].map(String::from).to_vec()];
            for (pod, c, v) in series {
                if let Some(m) = v.get(i) {
                    rows.push(vec![pod.to_string(), c.to_string(), format!("{}m", 180 + 7 * i), format!("{m}Mi")]);
                }
            }
            self.out.push_str(&table(&rows));
        }
        self.out.push('\n');
        self
    }

    /// `kubectl logs … --timestamps` of one container: lines with their times.
    pub fn logs(&mut self, pod: &str, container: &str, previous: bool, lines: &[(Timestamp, String)]) -> &mut Self {
        let prev = if previous { " --previous" } else { "" };
        self.cmd(&format!("kubectl logs -n {} {pod} -c {container} --timestamps --tail=-1{prev}", self.ns));
        for (t, l) in lines {
            for part in l.split('\n') {
                self.out.push_str(&format!("{} {part}\n", t.strftime("%Y-%m-%dT%H:%M:%S.%9fZ")));
            }
        }
        self.out.push('\n');
        self
    }

    pub fn text(&self) -> String {
        self.out.clone()
    }
}

fn push_term(o: &mut String, label: &str, t: &Term) {
    o.push_str(&format!("    {label}     Terminated\n"));
    o.push_str(&format!("      Reason:       {}\n", t.reason));
    o.push_str(&format!("      Exit Code:    {}\n", t.exit));
    o.push_str(&format!("      Started:      {}\n", describe_time(t.started)));
    o.push_str(&format!("      Finished:     {}\n", describe_time(t.finished)));
}

/// Log line formats a Python service writes.
#[derive(Clone, Copy, Debug)]
pub enum Fmt {
    /// `logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")`.
    Stdlib,
    /// python-json-logger: `{"asctime": …, "levelname": …, "name": …, "message": …, extra fields}`.
    Json,
    /// structlog's logfmt renderer: `timestamp=… level=info event="…" key=value`.
    Logfmt,
    /// `print()` output: just the text.
    Free,
}

/// One log line in `fmt`: `msg` is the human text, `fields` the structured extras
/// (rendered inline as `key=value` for stdlib and free text).
pub fn line(fmt: Fmt, t: Timestamp, level: &str, logger: &str, msg: &str, fields: &[(&str, String)]) -> String {
    let asctime = t.strftime("%Y-%m-%d %H:%M:%S,%3f").to_string();
    let inline = || fields.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
    match fmt {
        Fmt::Stdlib => {
            let extra = inline();
            let sep = if extra.is_empty() { "" } else { " " };
            format!("{asctime} {level} {logger}: {msg}{sep}{extra}")
        }
        Fmt::Json => {
            let mut m = serde_json::Map::new();
            m.insert("asctime".into(), asctime.into());
            m.insert("levelname".into(), level.into());
            m.insert("name".into(), logger.into());
            m.insert("message".into(), msg.into());
            for (k, v) in fields {
                let val = v.parse::<i64>().map(serde_json::Value::from).unwrap_or_else(|_| {
                    v.parse::<f64>().map(serde_json::Value::from).unwrap_or_else(|_| v.clone().into())
                });
                m.insert((*k).into(), val);
            }
            serde_json::Value::Object(m).to_string()
        }
        Fmt::Logfmt => {
            let mut s = format!("timestamp={} level={} logger={logger} event=\"{msg}\"", t, level.to_lowercase());
            for (k, v) in fields {
                s.push_str(&format!(" {k}={v}"));
            }
            s
        }
        Fmt::Free => {
            let extra = inline();
            if extra.is_empty() {
                msg.to_string()
            } else {
                format!("{msg} {extra}")
            }
        }
    }
}

/// `n` times starting `start_min` minutes from the capture start, `every_s` seconds apart.
pub fn times(start_min: i64, every_s: i64, n: usize) -> Vec<Timestamp> {
    (0..n).map(|i| at_min(start_min) + SignedDuration::from_secs(every_s * i as i64)).collect()
}

/// Interleaves ordinary request/job lines (noise) with the given lines, by time.
pub fn with_noise(fmt: Fmt, lines: Vec<(Timestamp, String)>) -> Vec<(Timestamp, String)> {
    let mut out = Vec::new();
    for (i, (t, l)) in lines.into_iter().enumerate() {
        let before = t - SignedDuration::from_secs(7);
        let ms = 80 + (i * 37) % 200;
        out.push((
            before,
            line(fmt, before, "INFO", "worker.http", &format!("GET /api/orders/{} 200 in {ms}ms", 1000 + i * 13), &[]),
        ));
        out.push((t, l));
    }
    out
}
