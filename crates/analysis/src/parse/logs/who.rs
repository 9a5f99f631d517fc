//! Which pod and container a log section is about (a helper of `logs.rs`).
//!
//! Recognises the words of `kubectl logs [-n NS] (POD | TYPE/NAME | -l SEL) [CONTAINER]
//! [-c CONTAINER] [-p] [--timestamps] [--prefix] [--all-containers] [--all-pods]`, and log
//! file names (`POD_CONTAINER.log`, `POD.log`, the kubelet's
//! `POD_NAMESPACE_CONTAINER-<64 hex>.log` and `…/NAMESPACE_POD_UID/CONTAINER/N.log`).
//!
//! Example: `kubectl logs -n shop deploy/worker --previous` names namespace `shop` and the
//! one pod of deployment `worker` the model knows (`worker-7d9f8b6c5-x2x9k`), else the
//! placeholder pod `deploy/worker`.

use crate::model::Model;
use crate::sections::Section;

use super::SectionContext;

/// What the command line or the file name says about a log section.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Target {
    pub namespace: Option<String>,
    /// The pod the unprefixed lines belong to (a placeholder name when not known).
    pub pod: String,
    /// True when `pod` names a real pod (not a placeholder).
    pub pod_known: bool,
    /// Container named by `-c`, the second positional word or the file name.
    pub container: Option<String>,
    pub all_containers: bool,
    pub previous: bool,
    pub timestamps: bool,
    /// `--prefix` or `--all-pods` (which sets it).
    pub prefix: bool,
    /// True when there is no command (a bare log file or paste).
    pub bare: bool,
    /// Why the pod is a placeholder, for a warning when lines land there.
    pub note: Option<String>,
}

/// Flags of `kubectl logs` (and global flags) that take the next word as value when
/// written without `=`.
const VALUED: [&str; 27] = [
    "-n",
    "--namespace",
    "-c",
    "--container",
    "-l",
    "--selector",
    "--context",
    "--kubeconfig",
    "--tail",
    "--since",
    "--since-time",
    "--limit-bytes",
    "--max-log-requests",
    "--pod-running-timeout",
    "--cluster",
    "--user",
    "-s",
    "--server",
    "--token",
    "--as",
    "--as-group",
    "--request-timeout",
    "--certificate-authority",
    "--client-certificate",
    "--client-key",
    "-v",
    "--v",
];

fn flag_set(args: &[String], name: &str) -> bool {
    args.iter()
        .any(|a| a == name || a.strip_prefix(name).and_then(|r| r.strip_prefix('=')).is_some_and(|v| v != "false"))
}

/// Words that are neither flags nor flag values, after `logs`.
fn positional(args: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a.starts_with('-') {
            if !a.contains('=') && VALUED.contains(&a) {
                i += 1; // skip the value
            }
        } else {
            out.push(a);
        }
        i += 1;
    }
    // Drop the verb (`logs` / `log`).
    if matches!(out.first(), Some(&"logs") | Some(&"log")) {
        out.remove(0);
    }
    out
}

/// The only pod of a controller the model knows, by the controller's pod-naming rule:
/// deployment `NAME-<hash>-<5>`, statefulset `NAME-<ordinal>`, job, replicaset, daemonset,
/// replicationcontroller `NAME-<5>`.
fn only_pod_of(model: &Model, namespace: Option<&str>, kind: &str, name: &str) -> Option<String> {
    let alnum = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let fits = |suffix: &str| -> bool {
        match kind {
            "deploy" | "deployment" | "deployments" => match suffix.split_once('-') {
                Some((hash, id)) => alnum(hash) && hash.len() <= 10 && alnum(id) && id.len() == 5,
                None => false,
            },
            "sts" | "statefulset" | "statefulsets" => !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()),
            "job"
            | "jobs"
            | "rs"
            | "replicaset"
            | "replicasets"
            | "ds"
            | "daemonset"
            | "daemonsets"
            | "rc"
            | "replicationcontroller"
            | "replicationcontrollers" => alnum(suffix) && suffix.len() == 5,
            _ => false,
        }
    };
    let prefix = format!("{name}-");
    let mut found = model.pods.iter().filter(|p| {
        let ns_ok = match (namespace, p.namespace.as_deref()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        ns_ok && p.name.strip_prefix(&prefix).is_some_and(fits)
    });
    match (found.next(), found.next()) {
        (Some(p), None) => Some(p.name.clone()),
        _ => None,
    }
}

/// True for a DNS subdomain as Kubernetes requires for pod names.
fn is_pod_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// True for a DNS label (container and namespace names).
fn is_label(s: &str) -> bool {
    is_pod_name(s) && s.len() <= 63 && !s.contains('.')
}

/// Pod, namespace and container from a log file's name (see the module doc of `logs.rs`).
/// `None` when the name does not follow one of the rules.
pub(super) fn from_file_name(path: &str) -> Option<(String, Option<String>, Option<String>)> {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let base = *parts.last()?;
    let lower = base.to_ascii_lowercase();
    // Only `*.log` names follow the rules; `logs.txt` names no pod.
    let ext = [".log.gz", ".log"].into_iter().find(|ext| lower.ends_with(ext))?;
    let stem = base.get(..base.len() - ext.len())?;
    // /var/log/pods/NAMESPACE_POD_UID/CONTAINER/N.log
    if !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()) && parts.len() >= 3 {
        let container = parts[parts.len() - 2];
        let dir: Vec<&str> = parts[parts.len() - 3].split('_').collect();
        if let [ns, pod, _uid] = dir.as_slice() {
            if is_pod_name(pod) && is_label(ns) && is_label(container) {
                return Some((pod.to_string(), Some(ns.to_string()), Some(container.to_string())));
            }
        }
    }
    let fields: Vec<&str> = stem.split('_').collect();
    match fields.as_slice() {
        // /var/log/containers/POD_NAMESPACE_CONTAINER-<container id>.log
        [pod, ns, rest] => {
            let (container, id) = rest.rsplit_once('-')?;
            let hex = id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
            (hex && is_pod_name(pod) && is_label(ns) && is_label(container))
                .then(|| (pod.to_string(), Some(ns.to_string()), Some(container.to_string())))
        }
        [pod, container] if is_pod_name(pod) && is_label(container) => {
            Some((pod.to_string(), None, Some(container.to_string())))
        }
        [pod] if is_pod_name(pod) => Some((pod.to_string(), None, None)),
        _ => None,
    }
}

/// Reads the command (or the file name of a bare section).
pub(super) fn target(section: &Section<'_>, ctx: &SectionContext, model: &Model) -> Target {
    let mut t = Target { namespace: ctx.namespace(section).map(str::to_string), ..Target::default() };
    let Some(cmd) = &section.command else {
        t.bare = true;
        match from_file_name(section.source_name) {
            Some((pod, ns, container)) => {
                t.pod = pod;
                t.pod_known = true;
                t.container = container;
                if ns.is_some() {
                    t.namespace = ns;
                }
            }
            None => {
                t.pod = section.source_name.rsplit(['/', '\\']).next().unwrap_or(section.source_name).to_string();
                t.note = Some(format!(
                    "the file name {:?} does not name a pod (POD.log or POD_CONTAINER.log); its log lines are kept under pod {:?}",
                    section.source_name, t.pod
                ));
            }
        }
        return t;
    };
    let args = &cmd.args;
    t.previous = cmd.previous;
    t.timestamps = cmd.timestamps;
    t.prefix = cmd.prefix || flag_set(args, "--all-pods");
    t.all_containers = flag_set(args, "--all-containers");
    let pos = positional(args);
    t.container = cmd.container.clone().or_else(|| pos.get(1).map(|s| s.to_string()));
    match pos.first() {
        Some(res) => match res.split_once('/') {
            None => {
                t.pod = res.to_string();
                t.pod_known = true;
            }
            Some((kind, name)) => {
                let kind = kind.split('.').next().unwrap_or(kind).to_ascii_lowercase();
                if matches!(kind.as_str(), "pod" | "pods" | "po") {
                    t.pod = name.to_string();
                    t.pod_known = true;
                } else if let Some(p) = only_pod_of(model, t.namespace.as_deref(), &kind, name) {
                    t.pod = p;
                    t.pod_known = true;
                } else {
                    t.pod = res.to_string();
                    t.note = Some(format!(
                        "kubectl picked one pod of {res} and the output does not say which (the bundle shows no pod of it, or several); its log lines are kept under pod {res:?}"
                    ));
                }
            }
        },
        None => {
            let sel = cmd.selector.clone().unwrap_or_default();
            // The one pod the bundle shows with these labels, else the selector's
            // pods as a whole: never a pod named after the selector.
            let ns = t.namespace.as_deref();
            let matching: Vec<&str> = model
                .pods
                .iter()
                .filter(|p| ns.is_none() || p.namespace.is_none() || p.namespace.as_deref() == ns)
                .filter(|p| p.matches_selector(&sel) == Some(true))
                .map(|p| p.name.as_str())
                .collect();
            if let [one] = matching[..] {
                t.pod = one.to_string();
                t.pod_known = true;
            } else {
                t.pod = format!("{}{sel}", crate::model::SELECTOR_PODS);
                t.note = Some(format!(
                    "`kubectl logs -l {sel}` without --prefix does not say which pod printed each line{}; the lines are kept as those of {:?}",
                    if matching.is_empty() { "" } else { " (several pods match)" },
                    t.pod
                ));
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(p: &str) -> Option<(String, Option<String>, Option<String>)> {
        from_file_name(p)
    }

    #[test]
    fn file_name_rules() {
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            name("worker-7d9f8b6c5-x2x9k_worker.log"),
            Some(("worker-7d9f8b6c5-x2x9k".into(), None, s("worker")))
        );
        assert_eq!(name("/tmp/x/worker-7d9f8b6c5-x2x9k.log"), Some(("worker-7d9f8b6c5-x2x9k".into(), None, None)));
        assert_eq!(name("worker-1.log.gz"), Some(("worker-1".into(), None, None)));
        let id = "0123456789abcdef".repeat(4);
        assert_eq!(
            name(&format!("/var/log/containers/worker-1_shop_app-{id}.log")),
            Some(("worker-1".into(), s("shop"), s("app")))
        );
        assert_eq!(
            name("/var/log/pods/shop_worker-1_8f3c1f7e-0000-4000-8000-000000000001/app/3.log"),
            Some(("worker-1".into(), s("shop"), s("app")))
        );
        assert_eq!(name("My Logs.log"), None);
        assert_eq!(name("a_b_c.log"), None);
        assert_eq!(name("Worker.log"), None);
        assert_eq!(name("logs_worker-1.txt"), None);
        assert_eq!(name("logs"), None);
    }

    #[test]
    fn positional_words_skip_flag_values() {
        let args: Vec<String> = "logs -n shop --since-time 2026-11-24T10:00:00Z worker-1 app --tail=20"
            .split(' ')
            .map(str::to_string)
            .collect();
        assert_eq!(positional(&args), vec!["worker-1", "app"]);
        assert!(flag_set(&["--all-containers=true".to_string()], "--all-containers"));
        assert!(!flag_set(&["--all-containers=false".to_string()], "--all-containers"));
    }
}
