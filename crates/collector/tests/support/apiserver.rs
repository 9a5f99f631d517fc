//! A small Kubernetes API test server for the collector tests, on 127.0.0.1 (plain HTTP).
//!
//! It serves what the real `kubectl` asks for the collector's commands: `/version`,
//! discovery (aggregated `apidiscovery.k8s.io` v2 / v2beta1 as the client's `Accept` asks,
//! else the legacy `/api`, `/apis`, `/api/v1` lists), pods list and get (as a `Table` with
//! the real pod columns when asked `as=Table`, else `PodList`/`Pod` JSON), pod logs
//! (`previous`, `timestamps`, `tailLines`), events (list, `Table`, and by
//! `fieldSelector=involvedObject.uid=…` as `describe` asks) and `metrics.k8s.io/v1beta1`
//! PodMetrics whose memory grows with each request, and the namespace (kubectl asks for it
//! after a NotFound). Everything is served per namespace and across namespaces
//! (`/api/v1/pods`, as `-A` asks); [`Options::second_namespace`] adds a pod in
//! [`OTHER_NAMESPACE`]. `kubectl debug` is answered too: the `ephemeralcontainers`
//! subresource (a strategic merge patch adding the container) runs the container's command
//! here at once, with the `PATH` of its image ([`Options::debug_images`]), and the pod then
//! shows it terminated, with its output as the container's log. Faults are switched on by
//! [`Options`].
//!
//! tiny_http does the HTTP/1.1 parts (keep-alive, chunked bodies, header parsing) that a
//! hand-written `TcpListener` loop would have to get right; each request is answered on its
//! own thread so one hanging answer does not block the others.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};

pub const NAMESPACE: &str = "shop";
/// The namespace of [`OTHER_POD`] ([`Options::second_namespace`]).
pub const OTHER_NAMESPACE: &str = "batch";
pub const OTHER_POD: &str = "worker-5c4b3a291-zz7kq";
pub const OOM_POD: &str = "worker-7d9f8b6c5-x2x9k";
pub const OK_POD: &str = "worker-7d9f8b6c5-q8r2m";
/// The Prometheus service the service proxy knows ([`Options::prometheus`]).
pub const PROMETHEUS_SERVICE: &str = "monitoring/prometheus-k8s:9090";
pub const OOM_POD_UID: &str = "6f1c1a52-3c1e-4b7e-9a55-0b8f3f1d2c11";
pub const OK_POD_UID: &str = "0d2b7e8c-9a41-4c36-8f0e-5b1f6a7c3e22";
/// Secret values the pod carries (env, args, logs): none may appear in a redacted bundle.
pub const SECRETS: &[&str] = &[
    "hunter2-db-pass",
    "tok_live_9f8e7d6c5b4a39281706",
    "s3cr3t-url-pass",
    "AKIAIOSFODNN7EXAMPLE",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ3b3JrZXIifQ.c2lnbmF0dXJl",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
];

#[derive(Clone, Debug)]
pub struct Options {
    /// What `/version` reports (the dispatcher picks its kubectl by it).
    pub git_version: String,
    /// Logs answer 403 Forbidden.
    pub logs_forbidden: bool,
    /// The metrics.k8s.io API is served (else absent from discovery, 404).
    pub metrics: bool,
    /// Requests whose path contains this never get an answer in time (sleep 30 s).
    pub hang_path: Option<String>,
    /// No pod matches the selector.
    pub no_pods: bool,
    /// Every request gets 401 Unauthorized (expired credentials).
    pub unauthorized: bool,
    /// Answer discovery the pre-1.26 way (no aggregated discovery, whatever is asked).
    pub legacy_discovery: bool,
    /// `kubectl exec` into a container of [`OOM_POD`] runs the command here with this
    /// `PATH` (the "image's" tools); other pods get `/usr/bin:/bin`.
    pub exec_path: Option<String>,
    /// A second matching pod, in [`OTHER_NAMESPACE`].
    pub second_namespace: bool,
    /// Images `kubectl debug` may start, each with the `PATH` its command runs with.
    pub debug_images: Vec<(String, String)>,
    /// The service proxy of [`PROMETHEUS_SERVICE`] forwards to this base URL (a real
    /// Prometheus): `/api/v1/namespaces/NS/services/NAME:PORT/proxy/REST?Q` → `URL/REST?Q`.
    pub prometheus: Option<String>,
    /// The service proxy answers 403 Forbidden (no `get` on `services/proxy`).
    pub proxy_forbidden: bool,
    /// The fake secrets of `tests/fixtures/secrets/fake-secrets.txt` ([`fake_secrets`]) in
    /// the workers' env and args, the running worker's log, and an event's message.
    pub fake_secrets: bool,
}

/// The fake secrets of `tests/fixtures/secrets/fake-secrets.txt`: (kind, the text that
/// carries it, the secret).
pub fn fake_secrets() -> Vec<(String, String, String)> {
    let path = format!("{}/../../tests/fixtures/secrets/fake-secrets.txt", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (kind, carrier) = l.split_once('\t').unwrap();
            let a = carrier.find("{{").unwrap();
            let b = a + carrier[a..].find("}}").unwrap();
            let secret = carrier[a + 2..b].replace('|', "");
            (kind.to_string(), format!("{}{secret}{}", &carrier[..a], &carrier[b + 2..]), secret)
        })
        .collect()
}

impl Default for Options {
    fn default() -> Self {
        Options {
            git_version: "v1.33.1".into(),
            logs_forbidden: false,
            metrics: true,
            hang_path: None,
            no_pods: false,
            legacy_discovery: false,
            unauthorized: false,
            exec_path: None,
            second_namespace: false,
            debug_images: Vec::new(),
            prometheus: None,
            proxy_forbidden: false,
            fake_secrets: false,
        }
    }
}

pub struct ApiServer {
    pub url: String,
    pub port: u16,
    /// `METHOD path-and-query | Accept | User-Agent` of every request, in order.
    pub log: Arc<Mutex<Vec<String>>>,
    server: Arc<tiny_http::Server>,
    state: Arc<State>,
    thread: Option<thread::JoinHandle<()>>,
}

impl ApiServer {
    pub fn start(opts: Options) -> ApiServer {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1"));
        let port = server.server_addr().to_ip().expect("ip address").port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(State { opts, port, metrics_calls: AtomicU32::new(0), ephemeral: Mutex::new(Vec::new()) });
        let (s, l, st) = (server.clone(), log.clone(), state.clone());
        let thread = thread::spawn(move || {
            for rq in s.incoming_requests() {
                let (state, log) = (st.clone(), l.clone());
                thread::spawn(move || handle(rq, &state, &log));
            }
        });
        ApiServer { url: format!("http://127.0.0.1:{port}"), port, log, server, state, thread: Some(thread) }
    }

    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// A kubeconfig pointing at this server (context `test-ctx`, namespace `shop`).
    pub fn kubeconfig(&self) -> String {
        self.kubeconfig_with_namespace(Some(NAMESPACE))
    }

    /// A kubeconfig pointing at this server: context `test-ctx` with this namespace (or
    /// none), and a second context `other-ctx` with namespace `batch`.
    pub fn kubeconfig_with_namespace(&self, ns: Option<&str>) -> String {
        let ns_line = ns.map(|n| format!("    namespace: {n}\n")).unwrap_or_default();
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: {}\ncontexts:\n- name: test-ctx\n  context:\n    cluster: test\n    user: tester\n{ns_line}- name: other-ctx\n  context:\n    cluster: test\n    user: tester\n    namespace: {OTHER_NAMESPACE}\ncurrent-context: test-ctx\nusers:\n- name: tester\n  user: {{}}\n",
            self.url
        )
    }

    /// The ephemeral containers `kubectl debug` added: (pod, the container as patched in).
    pub fn ephemeral_containers(&self) -> Vec<(String, Value)> {
        self.state.ephemeral.lock().unwrap().iter().map(|e| (e.pod.clone(), e.spec.clone())).collect()
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct State {
    opts: Options,
    port: u16,
    metrics_calls: AtomicU32,
    /// Ephemeral containers added by `kubectl debug`, in order.
    ephemeral: Mutex<Vec<Ephemeral>>,
}

/// One ephemeral container: its spec as patched in, and how its command ended here.
struct Ephemeral {
    pod: String,
    spec: Value,
    output: String,
    exit_code: i32,
    reason: String,
    message: String,
}

struct Reply {
    code: u16,
    content_type: String,
    body: String,
}

fn json_reply(code: u16, v: Value) -> Reply {
    Reply { code, content_type: "application/json".into(), body: v.to_string() }
}

fn status(code: u16, reason: &str, message: &str) -> Reply {
    json_reply(
        code,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": message, "reason": reason, "code": code}),
    )
}

fn handle(mut rq: tiny_http::Request, state: &State, log: &Mutex<Vec<String>>) {
    // An exec upgrade has no body: the connection's rest is the websocket.
    let upgrade = rq
        .headers()
        .iter()
        .find(|h| h.field.equiv("Upgrade"))
        .map(|h| h.value.as_str().to_ascii_lowercase())
        .unwrap_or_default();
    if !upgrade.is_empty() && rq.url().contains("/exec?") && !state.opts.unauthorized {
        let url = rq.url().to_string();
        log.lock().unwrap().push(format!("{} {} | upgrade: {upgrade}", rq.method(), url));
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let params = parse_query(query);
        if upgrade == "websocket" {
            exec_websocket(rq, path, &params, state);
        } else {
            // SPDY (kubectl before 1.30) is not spoken here.
            let r = status(400, "BadRequest", "the test API server answers exec over websockets only");
            let _ = rq.respond(tiny_http::Response::from_string(r.body).with_status_code(r.code));
        }
        return;
    }
    // Read the body first: answering before it leaves a broken reused connection.
    let mut body = Vec::new();
    let _ = rq.as_reader().read_to_end(&mut body);
    let url = rq.url().to_string();
    let accept =
        rq.headers().iter().find(|h| h.field.equiv("Accept")).map(|h| h.value.as_str().to_string()).unwrap_or_default();
    let agent = rq
        .headers()
        .iter()
        .find(|h| h.field.equiv("User-Agent"))
        .map(|h| h.value.as_str().to_string())
        .unwrap_or_default();
    // Impersonation (`--as`, `--as-group`), when asked.
    let impersonate: Vec<String> = rq
        .headers()
        .iter()
        .filter(|h| h.field.as_str().as_str().to_ascii_lowercase().starts_with("impersonate-"))
        .map(|h| format!("{}={}", h.field.as_str().as_str().to_ascii_lowercase(), h.value.as_str()))
        .collect();
    let impersonate = if impersonate.is_empty() { String::new() } else { format!(" | {}", impersonate.join(" ")) };
    log.lock().unwrap().push(format!("{} {} | {} | {}{impersonate}", rq.method(), url, accept, agent));
    if let Some(h) = &state.opts.hang_path {
        if url.contains(h.as_str()) {
            thread::sleep(Duration::from_secs(30));
        }
    }
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (url.clone(), String::new()),
    };
    let params = parse_query(&query);
    let method = rq.method().to_string();
    let reply = if state.opts.unauthorized {
        status(401, "Unauthorized", "Unauthorized")
    } else if let Some(r) = service_proxy(&path, &query, state) {
        r
    } else if method == "PATCH" {
        patch(&path, &body, state)
    } else if param(&params, "watch") == Some("true") {
        // A watch that ends at once, empty: the client lists again (kubectl debug's wait
        // is satisfied by the list, which already shows the container's state).
        thread::sleep(Duration::from_millis(200));
        Reply { code: 200, content_type: "application/json".into(), body: String::new() }
    } else {
        route(&path, &params, &accept, state)
    };
    let mut resp = tiny_http::Response::from_string(reply.body).with_status_code(reply.code);
    resp.add_header(tiny_http::Header::from_bytes(&b"Content-Type"[..], reply.content_type.as_bytes()).unwrap());
    let _ = rq.respond(resp);
}

/// `/api/v1/namespaces/NS/services/NAME:PORT/proxy/REST`: the API server's service proxy,
/// forwarding to [`Options::prometheus`] for [`PROMETHEUS_SERVICE`], status and body as
/// the service answered (`None`: not a service proxy path).
fn service_proxy(path: &str, query: &str, st: &State) -> Option<Reply> {
    let (Some(ns), rest) = split_ns(path, "/api/v1")? else { return None };
    let (service, rest) = rest.strip_prefix("services/")?.split_once("/proxy")?;
    if st.opts.proxy_forbidden {
        return Some(status(
            403,
            "Forbidden",
            &format!("services \"{service}\" is forbidden: User \"tester\" cannot get resource \"services/proxy\" in API group \"\" in the namespace \"{ns}\""),
        ));
    }
    let target = st.opts.prometheus.as_deref().filter(|_| format!("{ns}/{service}") == PROMETHEUS_SERVICE);
    let Some(target) = target else {
        return Some(status(
            404,
            "NotFound",
            &format!("services \"{}\" not found", service.split(':').next().unwrap_or("")),
        ));
    };
    let url = if query.is_empty() { format!("{target}{rest}") } else { format!("{target}{rest}?{query}") };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    Some(match agent.get(&url).call() {
        Ok(mut resp) => {
            let code = resp.status().as_u16();
            let content_type =
                resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("text/plain").to_string();
            let body = resp.body_mut().with_config().limit(1 << 30).read_to_string().unwrap_or_default();
            Reply { code, content_type, body }
        }
        Err(e) => status(503, "ServiceUnavailable", &format!("error trying to reach service: {e}")),
    })
}

/// `kubectl exec` over a websocket (`v5.channel.k8s.io`, else `v4`): the handshake, then
/// the command's stdout on channel 1, stderr on channel 2, and its status (a `Status`
/// object, `NonZeroExitCode` with the exit code as a cause) on channel 3, as the kubelet
/// answers. The "container" runs the command on this machine with [`Options::exec_path`].
fn exec_websocket(rq: tiny_http::Request, path: &str, params: &[(String, String)], st: &State) {
    use tungstenite::{protocol::Role, Message, WebSocket};
    let header = |name: &'static str| {
        rq.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str().to_string()).unwrap_or_default()
    };
    let key = header("Sec-WebSocket-Key");
    let offered = header("Sec-WebSocket-Protocol");
    let protocol = ["v5.channel.k8s.io", "v4.channel.k8s.io"]
        .into_iter()
        .find(|p| offered.split(',').any(|o| o.trim() == *p))
        .unwrap_or("v4.channel.k8s.io");
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let response = tiny_http::Response::empty(101)
        .with_header(tiny_http::Header::from_bytes(&b"Sec-WebSocket-Accept"[..], accept.as_bytes()).unwrap())
        .with_header(tiny_http::Header::from_bytes(&b"Sec-WebSocket-Protocol"[..], protocol.as_bytes()).unwrap());
    let stream = rq.upgrade("websocket", response);
    let mut ws = WebSocket::from_raw_socket(stream, Role::Server, None);

    let pod = path.rsplit('/').nth(1).unwrap_or("");
    let command: Vec<&str> = params.iter().filter(|(k, _)| k == "command").map(|(_, v)| v.as_str()).collect();
    let exec_path = match (&st.opts.exec_path, pod == OOM_POD) {
        (Some(p), true) => p.clone(),
        _ => "/usr/bin:/bin".to_string(),
    };
    let (stdout, stderr, code) = match command.split_first() {
        Some((prog, args)) => {
            match std::process::Command::new(prog).args(args).env_clear().env("PATH", &exec_path).output() {
                Ok(o) => (o.stdout, o.stderr, o.status.code().unwrap_or(1)),
                Err(e) => (Vec::new(), format!("exec: {e}").into_bytes(), 127),
            }
        }
        None => (Vec::new(), b"no command".to_vec(), 1),
    };
    let status = if code == 0 {
        json!({"metadata": {}, "status": "Success"})
    } else {
        json!({"metadata": {}, "status": "Failure",
               "message": format!("command terminated with non-zero exit code: error executing command {command:?}, exit code {code}"),
               "reason": "NonZeroExitCode",
               "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]}})
    };
    let frame = |channel: u8, data: &[u8]| {
        let mut f = vec![channel];
        f.extend_from_slice(data);
        Message::binary(f)
    };
    if !stdout.is_empty() {
        let _ = ws.send(frame(1, &stdout));
    }
    if !stderr.is_empty() {
        let _ = ws.send(frame(2, &stderr));
    }
    let _ = ws.send(frame(3, status.to_string().as_bytes()));
    // A normal closure (1000): client-go takes it as the end of every stream.
    let _ = ws.close(Some(tungstenite::protocol::CloseFrame {
        code: tungstenite::protocol::frame::coding::CloseCode::Normal,
        reason: "".into(),
    }));
    // Until the client answers the close (or goes away).
    for _ in 0..1000 {
        if ws.read().is_err() {
            break;
        }
    }
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
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

fn param<'a>(params: &'a [(String, String)], k: &str) -> Option<&'a str> {
    params.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.as_str())
}

/// `/api/v1/namespaces/NS/REST` → (Some(NS), REST); `/api/v1/REST` → (None, REST); the
/// same under `/apis/metrics.k8s.io/v1beta1`.
fn split_ns<'a>(path: &'a str, prefix: &str) -> Option<(Option<&'a str>, &'a str)> {
    let rest = path.strip_prefix(prefix)?.strip_prefix('/')?;
    match rest.strip_prefix("namespaces/") {
        Some(r) => {
            let (ns, rest) = r.split_once('/')?;
            Some((Some(ns), rest))
        }
        None => Some((None, rest)),
    }
}

/// The pods of a namespace (all of them for `None`), selected by `labelSelector` and
/// `fieldSelector=metadata.name=…`.
fn listed(st: &State, ns: Option<&str>, params: &[(String, String)]) -> Vec<Value> {
    let by_name = param(params, "fieldSelector").and_then(|f| f.strip_prefix("metadata.name=")).map(str::to_string);
    select(&pods(st), param(params, "labelSelector"))
        .into_iter()
        .filter(|p| ns.is_none_or(|n| p["metadata"]["namespace"] == n))
        .filter(|p| by_name.as_deref().is_none_or(|n| p["metadata"]["name"] == n))
        .collect()
}

/// `kubectl debug`: a strategic merge patch of the pod's `ephemeralcontainers`.
fn patch(path: &str, body: &[u8], st: &State) -> Reply {
    let Some((Some(ns), rest)) = split_ns(path, "/api/v1") else {
        return status(405, "MethodNotAllowed", "the test API server patches ephemeralcontainers only");
    };
    let Some(name) = rest.strip_prefix("pods/").and_then(|r| r.strip_suffix("/ephemeralcontainers")) else {
        return status(405, "MethodNotAllowed", "the test API server patches ephemeralcontainers only");
    };
    if !pods(st).iter().any(|p| p["metadata"]["name"] == name && p["metadata"]["namespace"] == ns) {
        return status(404, "NotFound", &format!("pods \"{name}\" not found"));
    }
    let Ok(patch) = serde_json::from_slice::<Value>(body) else {
        return status(400, "BadRequest", "the patch is not JSON");
    };
    let known: Vec<String> = st
        .ephemeral
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.pod == name)
        .map(|e| e.spec["name"].as_str().unwrap_or("").to_string())
        .collect();
    for c in patch["spec"]["ephemeralContainers"].as_array().into_iter().flatten() {
        let cname = c["name"].as_str().unwrap_or("").to_string();
        if cname.is_empty() || known.contains(&cname) {
            continue;
        }
        let image = c["image"].as_str().unwrap_or("");
        let words: Vec<String> = c["command"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(c["args"].as_array().into_iter().flatten())
            .filter_map(|w| w.as_str().map(str::to_string))
            .collect();
        let path = st.opts.debug_images.iter().find(|(i, _)| i == image).map(|(_, p)| p.clone());
        let (output, exit_code, reason, message) = match (path, words.split_first()) {
            (None, _) => (String::new(), 128, "StartError".to_string(), format!("image {image:?} not found")),
            (Some(p), Some((prog, args))) => {
                match std::process::Command::new(prog).args(args).env_clear().env("PATH", &p).output() {
                    Ok(o) => {
                        let code = o.status.code().unwrap_or(1);
                        let mut out = String::from_utf8_lossy(&o.stdout).into_owned();
                        out.push_str(&String::from_utf8_lossy(&o.stderr));
                        (out, code, if code == 0 { "Completed" } else { "Error" }.to_string(), String::new())
                    }
                    Err(e) => (String::new(), 128, "StartError".to_string(), format!("exec: {prog:?}: {e}")),
                }
            }
            (Some(_), None) => (String::new(), 0, "Completed".to_string(), String::new()),
        };
        st.ephemeral.lock().unwrap().push(Ephemeral {
            pod: name.to_string(),
            spec: c.clone(),
            output,
            exit_code,
            reason,
            message,
        });
    }
    let pod = pods(st).into_iter().find(|p| p["metadata"]["name"] == name).unwrap();
    json_reply(200, pod)
}

fn route(path: &str, params: &[(String, String)], accept: &str, st: &State) -> Reply {
    let table = accept.contains("as=Table");
    let core = split_ns(path, "/api/v1");
    let metrics = split_ns(path, "/apis/metrics.k8s.io/v1beta1");
    match path {
        "/version" => json_reply(200, version(&st.opts.git_version)),
        "/api" | "/apis" => discovery(path, accept, st),
        "/api/v1" => json_reply(200, core_resources()),
        "/apis/metrics.k8s.io/v1beta1" if st.opts.metrics => json_reply(200, metrics_resources()),
        // kubectl asks for the namespace after a NotFound, to say which one is missing.
        p if p == format!("/api/v1/namespaces/{NAMESPACE}") => {
            let ns = json!({"kind": "Namespace", "apiVersion": "v1",
                            "metadata": {"name": NAMESPACE, "uid": "5b0c8f7e-2d1a-4e3b-9c4d-6a7b8c9d0e1f", "resourceVersion": "120", "creationTimestamp": "2026-01-10T09:00:00Z",
                                         "labels": {"kubernetes.io/metadata.name": NAMESPACE}},
                            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}});
            if table {
                json_reply(
                    200,
                    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "120"},
                    "columnDefinitions": [
                        {"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace.", "priority": 0},
                        {"name": "Status", "type": "string", "format": "", "description": "The status of the namespace", "priority": 0},
                        {"name": "Age", "type": "string", "format": "", "description": "CreationTimestamp is a timestamp representing the server time when this object was created.", "priority": 0}],
                    "rows": [{"cells": [NAMESPACE, "Active", "319d"], "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": ns["metadata"]}}]}),
                )
            } else {
                json_reply(200, ns)
            }
        }
        _ if core.is_some_and(|(_, rest)| rest == "pods") => {
            let pods = listed(st, core.and_then(|c| c.0), params);
            if table {
                json_reply(200, pods_table(&pods))
            } else {
                json_reply(
                    200,
                    json!({"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "48213"}, "items": pods}),
                )
            }
        }
        _ if core.is_some_and(|(ns, rest)| ns.is_some() && rest.starts_with("pods/")) => {
            let (ns, rest) = core.unwrap();
            let rest = &rest["pods/".len()..];
            let (name, sub) = rest.split_once('/').unwrap_or((rest, ""));
            let Some(pod) = listed(st, ns, &[]).into_iter().find(|p| p["metadata"]["name"] == name) else {
                let mut r = status(404, "NotFound", &format!("pods \"{name}\" not found"));
                let mut v: Value = serde_json::from_str(&r.body).unwrap();
                v["details"] = json!({"name": name, "kind": "pods"});
                r.body = v.to_string();
                return r;
            };
            match sub {
                "" if table => json_reply(200, pods_table(&[pod])),
                "" => json_reply(200, pod),
                "log" => logs(&pod, params, st),
                _ => status(404, "NotFound", "the server could not find the requested resource"),
            }
        }
        _ if core.is_some_and(|(_, rest)| rest == "events") => {
            let ns = core.and_then(|c| c.0);
            let evs: Vec<Value> = events_for(param(params, "fieldSelector"), st.opts.fake_secrets)
                .into_iter()
                .filter(|e| ns.is_none_or(|n| e["metadata"]["namespace"] == n))
                .collect();
            if table {
                json_reply(200, events_table(&evs))
            } else {
                json_reply(
                    200,
                    json!({"kind": "EventList", "apiVersion": "v1", "metadata": {"resourceVersion": "48213"}, "items": evs}),
                )
            }
        }
        _ if st.opts.metrics && metrics.is_some_and(|(_, rest)| rest == "pods") => {
            let n = st.metrics_calls.fetch_add(1, Ordering::SeqCst);
            let pods = listed(st, metrics.and_then(|m| m.0), params);
            json_reply(200, pod_metrics(&pods, n))
        }
        _ if st.opts.metrics && metrics.is_some_and(|(ns, rest)| ns.is_some() && rest.starts_with("pods/")) => {
            let name = &path[path.rfind('/').map_or(0, |i| i + 1)..];
            let n = st.metrics_calls.fetch_add(1, Ordering::SeqCst);
            let pods = listed(st, metrics.and_then(|m| m.0), &[]);
            match pods.iter().find(|p| p["metadata"]["name"] == name) {
                Some(pod) => {
                    let list = pod_metrics(std::slice::from_ref(pod), n);
                    json_reply(200, list["items"][0].clone())
                }
                None => status(404, "NotFound", &format!("podmetrics.metrics.k8s.io \"{name}\" not found")),
            }
        }
        _ => status(404, "NotFound", "the server could not find the requested resource"),
    }
}

fn version(git: &str) -> Value {
    let minor = git.trim_start_matches('v').split('.').nth(1).unwrap_or("33").to_string();
    json!({"major": "1", "minor": minor, "gitVersion": git, "gitCommit": "8f94681cd294aa8cfd3407b8191f6c70214973a4",
           "gitTreeState": "clean", "buildDate": "2025-05-15T08:00:00Z", "goVersion": "go1.24.2",
           "compiler": "gc", "platform": "linux/amd64"})
}

fn resource(
    name: &str,
    singular: &str,
    kind: &str,
    group: &str,
    version: &str,
    short: &[&str],
    subresources: Value,
) -> Value {
    json!({"resource": name, "responseKind": {"group": group, "version": version, "kind": kind},
           "scope": "Namespaced", "singularResource": singular, "verbs": ["get", "list", "watch"],
           "shortNames": short, "subresources": subresources})
}

fn discovery(path: &str, accept: &str, st: &State) -> Reply {
    let aggregated = ["v2", "v2beta1"].into_iter().filter(|_| !st.opts.legacy_discovery).find(|v| {
        accept
            .split(',')
            .any(|a| a.contains("g=apidiscovery.k8s.io") && a.split(';').any(|p| p.trim() == format!("v={v}")))
    });
    let Some(v) = aggregated else {
        // Legacy discovery.
        return if path == "/api" {
            json_reply(
                200,
                json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": format!("127.0.0.1:{}", st.port)}]}),
            )
        } else {
            let groups: Vec<Value> = if st.opts.metrics {
                vec![
                    json!({"name": "metrics.k8s.io", "versions": [{"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}], "preferredVersion": {"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}}),
                ]
            } else {
                vec![]
            };
            json_reply(200, json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}))
        };
    };
    let items: Vec<Value> = if path == "/api" {
        let mut namespaces = resource("namespaces", "namespace", "Namespace", "", "v1", &["ns"], json!([]));
        namespaces["scope"] = json!("Cluster");
        let log = json!([{"subresource": "log", "responseKind": {"group": "", "version": "v1", "kind": "Pod"}, "verbs": ["get"]}]);
        vec![
            json!({"metadata": {"creationTimestamp": null}, "versions": [{"version": "v1", "freshness": "Current", "resources": [
                resource("pods", "pod", "Pod", "", "v1", &["po"], log),
                resource("events", "event", "Event", "", "v1", &["ev"], json!([])),
                namespaces,
            ]}]}),
        ]
    } else if st.opts.metrics {
        vec![
            json!({"metadata": {"name": "metrics.k8s.io", "creationTimestamp": null}, "versions": [{"version": "v1beta1", "freshness": "Current", "resources": [
                resource("pods", "", "PodMetrics", "metrics.k8s.io", "v1beta1", &[], json!([])),
            ]}]}),
        ]
    } else {
        vec![]
    };
    let ct = format!("application/json;g=apidiscovery.k8s.io;v={v};as=APIGroupDiscoveryList");
    Reply {
        code: 200,
        content_type: ct,
        body: json!({"kind": "APIGroupDiscoveryList", "apiVersion": format!("apidiscovery.k8s.io/{v}"), "metadata": {}, "items": items}).to_string(),
    }
}

fn core_resources() -> Value {
    json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "verbs": ["get", "list", "watch"], "shortNames": ["po"], "categories": ["all"]},
        {"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]},
        {"name": "events", "singularName": "event", "namespaced": true, "kind": "Event", "verbs": ["get", "list", "watch"], "shortNames": ["ev"]},
        {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace", "verbs": ["get", "list", "watch"], "shortNames": ["ns"]},
    ]})
}

fn metrics_resources() -> Value {
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "metrics.k8s.io/v1beta1", "resources": [
        {"name": "pods", "singularName": "", "namespaced": true, "kind": "PodMetrics", "verbs": ["get", "list"]},
    ]})
}

const CREATED: &str = "2026-11-24T07:12:40Z";

fn container(name: &str, image: &str, env: Value, args: Value, limit: &str, request: &str) -> Value {
    json!({"name": name, "image": image, "args": args, "env": env,
           "resources": {"limits": {"memory": limit, "cpu": "1"}, "requests": {"memory": request, "cpu": "250m"}},
           "volumeMounts": [{"name": "creds", "readOnly": true, "mountPath": "/var/run/secrets/worker"}],
           "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"})
}

fn pod(name: &str, uid: &str, ip: &str, containers: Vec<Value>, statuses: Vec<Value>) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "generateName": format!("{}-", name.rsplit_once('-').map_or(name, |p| p.0)), "namespace": NAMESPACE, "uid": uid,
                     "resourceVersion": "48190", "creationTimestamp": CREATED,
                     "labels": {"app": "worker", "pod-template-hash": "7d9f8b6c5"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "worker-7d9f8b6c5", "uid": "a3c9e1f0-1111-4c3b-9d2e-7f6a5b4c3d2e", "controller": true, "blockOwnerDeletion": true}]},
        "spec": {"containers": containers, "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                 "dnsPolicy": "ClusterFirst", "serviceAccountName": "default", "nodeName": "node-a-1", "schedulerName": "default-scheduler",
                 "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}],
                 "priority": 0, "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority",
                 "automountServiceAccountToken": false, "securityContext": {},
                 "volumes": [{"name": "creds", "secret": {"secretName": "worker-creds", "defaultMode": 420}}]},
        "status": {"phase": "Running",
                   "conditions": [
                       {"type": "Initialized", "status": "True", "lastProbeTime": null, "lastTransitionTime": CREATED},
                       {"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-24T09:41:07Z"},
                       {"type": "ContainersReady", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-24T09:41:07Z"},
                       {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": CREATED}],
                   "hostIP": "10.128.0.14", "hostIPs": [{"ip": "10.128.0.14"}], "podIP": ip, "podIPs": [{"ip": ip}],
                   "startTime": CREATED, "containerStatuses": statuses, "qosClass": "Burstable"}
    })
}

fn pods(st: &State) -> Vec<Value> {
    if st.opts.no_pods {
        return vec![];
    }
    let worker_env = json!([
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "DB_PASSWORD", "value": "hunter2-db-pass"},
        {"name": "API_TOKEN", "value": "tok_live_9f8e7d6c5b4a39281706"},
        {"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"},
        {"name": "DB_HOST", "value": "postgres.shop.svc"},
        {"name": "DB_USER", "valueFrom": {"secretKeyRef": {"name": "db", "key": "user"}}},
    ]);
    let mut worker_args = json!(["--workers=4", "--db=postgres://app:s3cr3t-url-pass@postgres.shop.svc:5432/shop"]);
    let mut worker_env = worker_env;
    if st.opts.fake_secrets {
        for (i, (_, text, _)) in fake_secrets().iter().enumerate() {
            worker_env.as_array_mut().unwrap().push(json!({"name": format!("SETTING_{i}"), "value": text}));
            worker_args.as_array_mut().unwrap().push(json!(format!("--setting-{i}={text}")));
        }
    }
    let oom = pod(
        OOM_POD,
        OOM_POD_UID,
        "10.8.0.23",
        vec![
            container(
                "worker",
                "registry.example.com/shop/worker:1.8.2",
                worker_env.clone(),
                worker_args.clone(),
                "512Mi",
                "256Mi",
            ),
            container("metrics-exporter", "prom/statsd-exporter:v0.26.0", json!([]), json!([]), "64Mi", "32Mi"),
        ],
        vec![
            json!({"name": "worker", "ready": true, "restartCount": 1, "image": "registry.example.com/shop/worker:1.8.2",
                   "imageID": "registry.example.com/shop/worker@sha256:4f5e", "containerID": "containerd://9a8b7c6d5e4f",
                   "started": true,
                   "state": {"running": {"startedAt": "2026-11-24T09:41:05Z"}},
                   "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": "2026-11-24T07:12:44Z",
                                                 "finishedAt": "2026-11-24T09:41:03Z", "containerID": "containerd://1a2b3c4d5e6f"}}}),
            json!({"name": "metrics-exporter", "ready": true, "restartCount": 0, "image": "prom/statsd-exporter:v0.26.0",
                   "imageID": "prom/statsd-exporter@sha256:77aa", "containerID": "containerd://5c6d7e8f9a0b", "started": true,
                   "state": {"running": {"startedAt": "2026-11-24T07:12:45Z"}}, "lastState": {}}),
        ],
    );
    let ok = pod(
        OK_POD,
        OK_POD_UID,
        "10.8.1.7",
        vec![container("worker", "registry.example.com/shop/worker:1.8.2", worker_env, worker_args, "512Mi", "256Mi")],
        vec![
            json!({"name": "worker", "ready": true, "restartCount": 0, "image": "registry.example.com/shop/worker:1.8.2",
                    "imageID": "registry.example.com/shop/worker@sha256:4f5e", "containerID": "containerd://0f1e2d3c4b5a",
                    "started": true, "state": {"running": {"startedAt": "2026-11-24T07:12:46Z"}}, "lastState": {}}),
        ],
    );
    // As `kubectl apply` leaves it: the env again, escaped inside a JSON string.
    let mut oom = oom;
    oom["metadata"]["annotations"] = json!({"kubectl.kubernetes.io/last-applied-configuration":
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"env\":[{\"name\":\"DB_PASSWORD\",\"value\":\"hunter2-db-pass\"},{\"name\":\"LOG_LEVEL\",\"value\":\"info\"}],\"name\":\"worker\"}]}}\n"});
    let mut all = vec![oom, ok];
    if st.opts.second_namespace {
        let mut other = pod(
            OTHER_POD,
            "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "10.8.2.9",
            vec![container("worker", "registry.example.com/batch/worker:2.0.1", json!([]), json!([]), "1Gi", "512Mi")],
            vec![
                json!({"name": "worker", "ready": true, "restartCount": 0, "image": "registry.example.com/batch/worker:2.0.1",
                        "imageID": "registry.example.com/batch/worker@sha256:9c1d", "containerID": "containerd://7b8c9d0e1f2a",
                        "started": true, "state": {"running": {"startedAt": "2026-11-24T08:00:00Z"}}, "lastState": {}}),
            ],
        );
        other["metadata"]["namespace"] = json!(OTHER_NAMESPACE);
        all.push(other);
    }
    // What `kubectl debug` added.
    for e in st.ephemeral.lock().unwrap().iter() {
        let Some(p) = all.iter_mut().find(|p| p["metadata"]["name"] == e.pod.as_str()) else { continue };
        let spec = p["spec"]["ephemeralContainers"].as_array().cloned().unwrap_or_default();
        p["spec"]["ephemeralContainers"] = json!(spec.into_iter().chain([e.spec.clone()]).collect::<Vec<_>>());
        let statuses = p["status"]["ephemeralContainerStatuses"].as_array().cloned().unwrap_or_default();
        let status = json!({"name": e.spec["name"], "image": e.spec["image"], "imageID": "", "ready": false, "restartCount": 0,
                            "state": {"terminated": {"exitCode": e.exit_code, "reason": e.reason, "message": e.message,
                                                     "startedAt": "2026-11-24T10:00:01Z", "finishedAt": "2026-11-24T10:00:02Z"}},
                            "lastState": {}});
        p["status"]["ephemeralContainerStatuses"] = json!(statuses.into_iter().chain([status]).collect::<Vec<_>>());
    }
    all
}

/// Pods matching a `key=value[,key=value]` selector (all when none).
fn select(pods: &[Value], selector: Option<&str>) -> Vec<Value> {
    pods.iter()
        .filter(|p| {
            selector.is_none_or(|sel| {
                sel.split(',').filter(|t| !t.is_empty()).all(|term| match term.split_once('=') {
                    Some((k, v)) => p["metadata"]["labels"][k.trim_end_matches('=')] == v.trim_start_matches('='),
                    None => false,
                })
            })
        })
        .cloned()
        .collect()
}

fn pods_table(pods: &[Value]) -> Value {
    let col = |name: &str, format: &str, desc: &str, priority: u32| json!({"name": name, "type": "string", "format": format, "description": desc, "priority": priority});
    let rows: Vec<Value> = pods
        .iter()
        .map(|p| {
            let statuses = p["status"]["containerStatuses"].as_array().cloned().unwrap_or_default();
            let ready = statuses.iter().filter(|s| s["ready"] == true).count();
            let restarts: u64 = statuses.iter().filter_map(|s| s["restartCount"].as_u64()).sum();
            let restarts = if restarts > 0 { format!("{restarts} (29m ago)") } else { "0".to_string() };
            json!({"cells": [p["metadata"]["name"], format!("{ready}/{}", statuses.len()), p["status"]["phase"], restarts, "3h",
                             p["status"]["podIP"], p["spec"]["nodeName"], "<none>", "<none>"],
                   "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": p["metadata"]}})
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "48213"},
           "columnDefinitions": [
               col("Name", "name", "Name must be unique within a namespace.", 0),
               col("Ready", "", "The aggregate readiness state of this pod for accepting traffic.", 0),
               col("Status", "", "The aggregate status of the containers in this pod.", 0),
               col("Restarts", "", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", 0),
               col("Age", "", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0),
               col("IP", "", "The IP address assigned to the pod", 1),
               col("Node", "", "The name of the node assigned to the pod", 1),
               col("Nominated Node", "", "The name of the node nominated by the scheduler for this pod", 1),
               col("Readiness Gates", "", "The number of ready readiness gates", 1)],
           "rows": rows})
}

// One realistic core/v1 Event; the arguments are its fields, in the order kubectl prints them.
#[allow(clippy::too_many_arguments)]
fn event(
    name: &str,
    pod: &str,
    uid: &str,
    kind: &str,
    reason: &str,
    message: &str,
    count: u32,
    first: &str,
    last: &str,
    field: Option<&str>,
) -> Value {
    let mut involved = json!({"kind": "Pod", "namespace": NAMESPACE, "name": pod, "uid": uid, "apiVersion": "v1", "resourceVersion": "48001"});
    if let Some(f) = field {
        involved["fieldPath"] = json!(f);
    }
    json!({"kind": "Event", "apiVersion": "v1",
           "metadata": {"name": name, "namespace": NAMESPACE, "uid": format!("e-{name}"), "resourceVersion": "48100", "creationTimestamp": first},
           "involvedObject": involved, "reason": reason, "message": message,
           "source": {"component": "kubelet", "host": "node-a-1"}, "firstTimestamp": first, "lastTimestamp": last,
           "count": count, "type": kind, "eventTime": null, "reportingComponent": "kubelet", "reportingInstance": "node-a-1"})
}

fn all_events(with_secrets: bool) -> Vec<Value> {
    let mut evs = vec![
        event(&format!("{OOM_POD}.187a1f2b3c4d5e6f"), OOM_POD, OOM_POD_UID, "Warning", "BackOff",
              "Back-off restarting failed container worker in pod worker-7d9f8b6c5-x2x9k_shop(6f1c1a52-3c1e-4b7e-9a55-0b8f3f1d2c11)",
              2, "2026-11-24T09:41:03Z", "2026-11-24T09:41:04Z", Some("spec.containers{worker}")),
        event(&format!("{OOM_POD}.187a1f2b3c4d5e70"), OOM_POD, OOM_POD_UID, "Normal", "Pulled",
              "Container image \"registry.example.com/shop/worker:1.8.2\" already present on machine",
              2, "2026-11-24T07:12:43Z", "2026-11-24T09:41:05Z", Some("spec.containers{worker}")),
        event(&format!("{OK_POD}.187a1f2b3c4d5e71"), OK_POD, OK_POD_UID, "Normal", "Started",
              "Started container worker", 1, "2026-11-24T07:12:46Z", "2026-11-24T07:12:46Z", Some("spec.containers{worker}")),
    ];
    if with_secrets {
        for (i, (_, text, _)) in fake_secrets().iter().enumerate() {
            evs.push(event(
                &format!("{OK_POD}.187a1f2b3c4d6{i:03}"),
                OK_POD,
                OK_POD_UID,
                "Warning",
                "Failed",
                &format!("Error: bad config {text}"),
                1,
                "2026-11-24T07:12:47Z",
                "2026-11-24T07:12:47Z",
                Some("spec.containers{worker}"),
            ));
        }
    }
    evs
}

/// Events filtered by a `fieldSelector` on `involvedObject.*`.
fn events_for(field_selector: Option<&str>, with_secrets: bool) -> Vec<Value> {
    all_events(with_secrets)
        .into_iter()
        .filter(|e| {
            field_selector.is_none_or(|fs| {
                fs.split(',').filter(|t| !t.is_empty()).all(|term| match term.split_once('=') {
                    Some((k, v)) => {
                        let v = v.trim_start_matches('=');
                        match k.trim_end_matches('=').strip_prefix("involvedObject.") {
                            Some(f) => e["involvedObject"][f].as_str().unwrap_or("") == v,
                            None => true,
                        }
                    }
                    None => true,
                })
            })
        })
        .collect()
}

fn events_table(evs: &[Value]) -> Value {
    let col = |name: &str, desc: &str, priority: u32| json!({"name": name, "type": "string", "format": "", "description": desc, "priority": priority});
    let rows: Vec<Value> = evs
        .iter()
        .map(|e| {
            let obj = format!("pod/{}", e["involvedObject"]["name"].as_str().unwrap_or(""));
            json!({"cells": ["31m", e["type"], e["reason"], obj, e["involvedObject"]["fieldPath"], "kubelet, node-a-1",
                             e["message"], "3h", e["count"], e["metadata"]["name"]],
                   "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": e["metadata"]}})
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "48213"},
           "columnDefinitions": [
               col("Last Seen", "Deprecated: Use lastTimestamp instead.", 0),
               col("Type", "Type of this event (Normal, Warning), new types could be added in the future", 0),
               col("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", 0),
               col("Object", "The object that this event is about.", 0),
               col("Subobject", "The subobject of the involved object this event is about.", 1),
               col("Source", "The component reporting this event.", 1),
               col("Message", "A human-readable description of the status of this operation.", 0),
               col("First Seen", "The time at which the event was first recorded.", 1),
               col("Count", "The number of times this event has occurred.", 1),
               col("Name", "Name of the event.", 1)],
           "rows": rows})
}

/// PodMetrics for these pods; memory grows by 12Mi for each request served before.
fn pod_metrics(pods: &[Value], n: u32) -> Value {
    let items: Vec<Value> = pods
        .iter()
        .map(|p| {
            let name = p["metadata"]["name"].as_str().unwrap_or("");
            let base_ki: u64 = if name == OOM_POD { 301 * 1024 } else { 288 * 1024 };
            let containers: Vec<Value> = p["spec"]["containers"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|c| {
                    let cname = c["name"].as_str().unwrap_or("");
                    let ki = if cname == "worker" { base_ki + u64::from(n) * 12 * 1024 } else { 18 * 1024 };
                    json!({"name": cname, "usage": {"cpu": "212m", "memory": format!("{ki}Ki")}})
                })
                .collect();
            json!({"metadata": {"name": name, "namespace": p["metadata"]["namespace"], "creationTimestamp": "2026-11-24T10:00:00Z",
                                "labels": p["metadata"]["labels"]},
                   "timestamp": "2026-11-24T09:59:52Z", "window": "15.012s", "containers": containers})
        })
        .collect();
    json!({"kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items})
}

fn logs(pod: &Value, params: &[(String, String)], st: &State) -> Reply {
    let name = pod["metadata"]["name"].as_str().unwrap_or("");
    if st.opts.logs_forbidden {
        return status(
            403,
            "Forbidden",
            &format!("pods \"{name}\" is forbidden: User \"oncall@example.com\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"{NAMESPACE}\""),
        );
    }
    let container = param(params, "container").unwrap_or("worker");
    if let Some(e) = st.ephemeral.lock().unwrap().iter().find(|e| e.pod == name && e.spec["name"] == container) {
        return Reply { code: 200, content_type: "text/plain".into(), body: e.output.clone() };
    }
    let previous = param(params, "previous") == Some("true");
    let timestamps = param(params, "timestamps") == Some("true");
    let mut lines: Vec<(&str, String)> = match (container, previous) {
        ("worker", true) => vec![
            ("2026-11-24T09:40:01.118273645Z", "INFO processed batch 4411 in 1.92s rss=488MiB".into()),
            ("2026-11-24T09:40:31.204918271Z", "WARNING cache size 182113 entries, growing".into()),
            ("2026-11-24T09:40:58.770012345Z", "INFO calling billing with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ3b3JrZXIifQ.c2lnbmF0dXJl".into()),
            ("2026-11-24T09:41:02.991823001Z", "INFO processed batch 4412 in 2.41s rss=509MiB".into()),
        ],
        ("worker", false) => vec![
            ("2026-11-24T09:41:06.001928374Z", "INFO worker starting, 4 threads".into()),
            ("2026-11-24T09:41:06.512837465Z", "INFO connected to postgres://app:s3cr3t-url-pass@postgres.shop.svc:5432/shop".into()),
            ("2026-11-24T09:41:07.300000000Z", "DEBUG loaded key -----BEGIN PRIVATE KEY----- MIIEvQIBADANBgkqhkiG9w0BAQEFAASC -----END PRIVATE KEY-----".into()),
            ("2026-11-24T09:59:40.118273645Z", "INFO processed batch 38 in 1.87s rss=301MiB".into()),
        ],
        (_, true) => {
            return status(400, "BadRequest", &format!("previous terminated container \"{container}\" in pod \"{name}\" not found"));
        }
        (_, false) => vec![("2026-11-24T07:12:45.000000001Z", "level=info msg=\"Accepting StatsD Traffic\" udp=:9125".into())],
    };
    if st.opts.fake_secrets && container == "worker" && !previous {
        // Before the last line, in time order: "ERROR request failed … <secret>".
        let last = lines.pop();
        for (_, text, _) in fake_secrets() {
            lines.push(("2026-11-24T09:59:30.000000000Z", format!("ERROR request failed with {text}")));
        }
        lines.extend(last);
    }
    let tail = param(params, "tailLines").and_then(|t| t.parse::<usize>().ok());
    let skip = tail.map_or(0, |t| lines.len().saturating_sub(t));
    let mut body = String::new();
    for (ts, text) in lines.into_iter().skip(skip) {
        if timestamps {
            body.push_str(ts);
            body.push(' ');
        }
        body.push_str(&text);
        body.push('\n');
    }
    Reply { code: 200, content_type: "text/plain".into(), body }
}
