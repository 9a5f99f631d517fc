//! Replicated troubleshoot support bundles (`kubectl support-bundle` →
//! `support-bundle-<time>.tar.gz`), read in memory: gzip, then tar, in one streaming pass
//! under the same inflate cap as any gzip input ([`Limits`]).
//!
//! Recognised by content, not by name: a gzip stream whose first 512 inflated bytes are a
//! tar header (`ustar` at offset 257), or a plain tar. Only the members that say something
//! about memory are kept, each as its own source named `BUNDLE:PATH` and read as the
//! `kubectl` command that prints the same thing:
//!
//! | member (under an optional `support-bundle-*/` folder) | read as |
//! |---|---|
//! | `cluster-resources/pods/<ns>.json` (PodList, or a bare array of pods) | `kubectl get pods -n <ns> -o json` |
//! | `cluster-resources/events/<ns>.json` (EventList, or a bare array) | `kubectl get events -n <ns> -o json` |
//! | `cluster-resources/pods/logs/<ns>/<pod>/<container>.log` | `kubectl logs -n <ns> <pod> -c <container>` |
//! | `…/<container>-previous.log` | the same with `--previous` |
//! | `cluster-resources/pods/logs/<ns>/<pod>/<container>-logs-errors.log` | a warning (the collector could not get that log) |
//! | `node-metrics/<node>.json` (kubelet stats summary) | `kubectl get --raw /api/v1/nodes/<node>/proxy/stats/summary` |
//!
//! Every other member is counted by its top folder and named in one warning, so the
//! reader knows what was not read. A truncated or damaged archive keeps the members read
//! before the damage, with a warning saying where it stopped. Example: a bundle holding
//! `support-bundle-2026-11-24T10_00_00/cluster-resources/pods/shop.json` gives the source
//! `support-bundle.tar.gz:cluster-resources/pods/shop.json`, parsed like
//! `kubectl get pods -n shop -o json` output.
//!
//! Why the `tar` crate: it is the maintained reader (alexcrichton), streams from any
//! `Read`, handles GNU long names and PAX headers, and builds for wasm32-unknown-unknown
//! with default features off (its `filetime` dependency has a wasm backend; nothing here
//! unpacks to disk).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use crate::input::Limits;
use crate::logdigest::Digests;
use crate::model::{self, Model, SectionKind};
use crate::sections::{Command, Section};

/// What a member is, for the parser that reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberKind {
    Pods,
    Events,
    Logs { previous: bool },
    NodeMetrics,
}

/// One memory-relevant member of the bundle.
#[derive(Clone, Debug)]
pub struct Member {
    /// Path in the bundle, without the bundle's own top folder.
    pub path: String,
    /// Source name: `BUNDLE:PATH`.
    pub name: String,
    /// What the member is (its command says the same; the tests read this).
    #[cfg_attr(not(test), allow(dead_code))]
    pub kind: MemberKind,
    /// The `kubectl` command that prints what this member holds.
    pub command: String,
    pub text: String,
}

/// The memory-relevant members of a support bundle and what went wrong reading it.
#[derive(Clone, Debug, Default)]
pub struct Expanded {
    pub members: Vec<Member>,
    /// Damage, refused bombs, logs the collector could not get, lossy UTF-8.
    pub problems: Vec<String>,
    /// Other members by top folder (`cluster-resources/deployments` counts under
    /// `cluster-resources`), for the "also held" note.
    pub others: BTreeMap<String, u32>,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const BLOCK: usize = 512;

/// A tar header block: `ustar` at 257 (POSIX `ustar\0` and GNU `ustar  `), and its
/// checksum (octal at 148..156: the sum of the block's bytes with that field as spaces)
/// right, so a text that happens to hold `ustar` there is not taken for an archive.
fn is_tar_header(block: &[u8]) -> bool {
    let Some(header) = block.get(..BLOCK) else { return false };
    if header.get(257..262) != Some(b"ustar".as_slice()) {
        return false;
    }
    let field = header.get(148..156).unwrap_or(&[]);
    let digits: String = field.iter().map(|&b| b as char).filter(|c| c.is_digit(8)).collect();
    let Ok(want) = u32::from_str_radix(&digits, 8) else { return false };
    let sum: u32 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| if (148..156).contains(&i) { u32::from(b' ') } else { u32::from(b) })
        .sum();
    sum == want
}

/// Whether the bytes are a tar archive, gzipped or not (only the first block is inflated).
pub fn is_tar(bytes: &[u8]) -> bool {
    if bytes.starts_with(&GZIP_MAGIC) {
        let mut head = [0u8; BLOCK];
        let mut got = 0;
        let mut gz = flate2::read::MultiGzDecoder::new(bytes);
        while got < BLOCK {
            match gz.read(&mut head[got..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n,
            }
        }
        return is_tar_header(&head[..got]);
    }
    is_tar_header(bytes)
}

/// A reader that fails once more than `cap` bytes went through it.
struct Capped<R> {
    inner: R,
    read: u64,
    cap: u64,
    over: bool,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read = self.read.saturating_add(n as u64);
        if self.read > self.cap {
            self.over = true;
            return Err(std::io::Error::other("inflate cap passed"));
        }
        Ok(n)
    }
}

/// Opens a support bundle. `None` when the bytes are not a tar archive (gzipped or not):
/// then the input is read as text as usual.
pub fn expand(name: &str, bytes: &[u8], limits: &Limits) -> Option<Expanded> {
    if !is_tar(bytes) {
        return None;
    }
    let mut out = Expanded::default();
    let cap = limits.max_inflated_bytes;
    let gz = bytes.starts_with(&GZIP_MAGIC);
    let source: Box<dyn Read + '_> =
        if gz { Box::new(flate2::read::MultiGzDecoder::new(bytes)) } else { Box::new(bytes) };
    let mut reader = Capped { inner: source, read: 0, cap, over: false };
    let mut stopped: Option<String> = None;
    let mut cut_short: Option<String> = None;
    {
        let mut archive = tar::Archive::new(&mut reader);
        match archive.entries() {
            Err(e) => stopped = Some(e.to_string()),
            Ok(entries) => {
                for entry in entries {
                    let mut entry = match entry {
                        Ok(e) => e,
                        Err(e) => {
                            stopped = Some(e.to_string());
                            break;
                        }
                    };
                    if !entry.header().entry_type().is_file() {
                        continue; // folders, links: nothing to read
                    }
                    let path = match entry.path() {
                        Ok(p) => p.to_string_lossy().replace('\\', "/"),
                        Err(e) => {
                            out.problems.push(format!("{name}: a member with an unreadable name was skipped ({e})"));
                            continue;
                        }
                    };
                    let path = bundle_path(&path);
                    let Some((kind, command)) = classify(&path) else {
                        if let Some(err_log) = logs_error(&path) {
                            let mut text = String::new();
                            let _ = entry.by_ref().take(4096).read_to_string(&mut text);
                            out.problems.push(format!(
                                "{name}:{path}: the support bundle could not collect the log of {err_log}: {}",
                                text.trim()
                            ));
                            continue;
                        }
                        let top = path.split('/').next().unwrap_or("").to_string();
                        let top = if path.contains('/') { top } else { "(top level)".to_string() };
                        *out.others.entry(top).or_insert(0) += 1;
                        continue;
                    };
                    let mut raw = Vec::new();
                    if let Err(e) = entry.read_to_end(&mut raw) {
                        stopped = Some(format!("in {path}: {e}"));
                        if !raw.is_empty() {
                            cut_short = Some(path.clone());
                            push_member(&mut out, name, path, kind, command, raw);
                        }
                        break;
                    }
                    push_member(&mut out, name, path, kind, command, raw);
                }
            }
        }
    }
    let cut = cut_short.map_or(String::new(), |p| format!(" ({p} only in part)"));
    if reader.over {
        out.problems.push(format!(
            "{name}: stopped reading the support bundle: it inflates to more than {} (the cap for one input); \
             this looks like a decompression bomb. The {} members read before were kept{cut}.",
            cap_text(cap),
            out.members.len()
        ));
    } else if let Some(why) = stopped {
        out.problems.push(format!(
            "{name}: truncated or damaged support bundle ({why}); the {} members read before the damage were kept{cut}",
            out.members.len()
        ));
    }
    Some(out)
}

fn push_member(out: &mut Expanded, bundle: &str, path: String, kind: MemberKind, command: String, raw: Vec<u8>) {
    let name = format!("{bundle}:{path}");
    let text = match String::from_utf8(raw) {
        Ok(s) => s,
        Err(e) => {
            out.problems.push(format!("{name}: not valid UTF-8; invalid bytes were replaced with U+FFFD"));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    out.members.push(Member { path, name, kind, command, text });
}

fn cap_text(cap: u64) -> String {
    if cap >= 1 << 20 && cap % (1 << 20) == 0 {
        format!("{} MiB", cap >> 20)
    } else {
        format!("{cap} bytes")
    }
}

/// The folders troubleshoot writes at the top of a bundle that kubeleak reads.
const READ_TOPS: [&str; 2] = ["cluster-resources", "node-metrics"];

/// The path inside the bundle: `./` and the bundle's own folder (`support-bundle-<time>/`,
/// or any folder holding `cluster-resources/` or `node-metrics/`) removed.
fn bundle_path(path: &str) -> String {
    let p = path.trim_start_matches("./").trim_start_matches('/');
    if let Some((first, rest)) = p.split_once('/') {
        let rest_top = rest.split('/').next().unwrap_or("");
        if !READ_TOPS.contains(&first) && (first.starts_with("support-bundle") || READ_TOPS.contains(&rest_top)) {
            return rest.to_string();
        }
    }
    p.to_string()
}

/// A name as a command word: quoted when it holds anything a shell would split on.
fn word(s: &str) -> String {
    shlex::try_quote(s).map_or_else(|_| s.to_string(), |q| q.into_owned())
}

/// The kind and implied command of a member kubeleak reads; `None` for the others.
fn classify(path: &str) -> Option<(MemberKind, String)> {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["cluster-resources", "pods", file] => {
            let ns = file.strip_suffix(".json").filter(|n| !n.is_empty() && !n.ends_with("-errors"))?;
            Some((MemberKind::Pods, format!("kubectl get pods -n {} -o json", word(ns))))
        }
        ["cluster-resources", "events", file] => {
            let ns = file.strip_suffix(".json").filter(|n| !n.is_empty() && !n.ends_with("-errors"))?;
            Some((MemberKind::Events, format!("kubectl get events -n {} -o json", word(ns))))
        }
        ["cluster-resources", "pods", "logs", ns, pod, file] => {
            let stem = file.strip_suffix(".log")?;
            if stem.ends_with("-logs-errors") {
                return None;
            }
            let (container, previous) = match stem.strip_suffix("-previous") {
                Some(c) => (c, true),
                None => (stem, false),
            };
            if container.is_empty() {
                return None;
            }
            let mut cmd = format!("kubectl logs -n {} {} -c {}", word(ns), word(pod), word(container));
            if previous {
                cmd.push_str(" --previous");
            }
            Some((MemberKind::Logs { previous }, cmd))
        }
        ["node-metrics", file] => {
            let node = file.strip_suffix(".json").filter(|n| !n.is_empty())?;
            Some((
                MemberKind::NodeMetrics,
                format!("kubectl get --raw {}", word(&format!("/api/v1/nodes/{node}/proxy/stats/summary"))),
            ))
        }
        _ => None,
    }
}

/// `ns/pod/container` of a `<container>-logs-errors.log` member.
fn logs_error(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["cluster-resources", "pods", "logs", ns, pod, file] => {
            let c = file.strip_suffix("-logs-errors.log")?;
            Some(format!("container {c} of pod {ns}/{pod}"))
        }
        _ => None,
    }
}

/// Adds an opened bundle to the model: one source for the bundle itself (the list of
/// what was read, where its warnings point), then one source per member, each parsed as
/// the output of its implied command.
pub fn add_to_model(
    name: &str,
    expanded: Expanded,
    model: &mut Model,
    digests: &mut Digests,
    seq: &mut HashMap<SectionKind, u32>,
) {
    let index = model.sources.len();
    let mut listing: Vec<String> = Vec::with_capacity(expanded.members.len() + 2);
    listing.push(format!("# support bundle: {} members read", expanded.members.len()));
    for m in &expanded.members {
        listing.push(format!("{}  ->  {}", m.path, m.command));
    }
    if !expanded.others.is_empty() {
        let total: u32 = expanded.others.values().sum();
        let folders: Vec<String> = expanded.others.iter().map(|(k, n)| format!("{k} ({n})")).collect();
        listing.push(format!("# not read: {total} other members: {}", folders.join(", ")));
    }
    let bytes = listing.iter().map(|l| l.len() as u64 + 1).sum();
    model.sources.push(model::Source {
        name: name.to_string(),
        bytes,
        lines: u32::try_from(listing.len()).unwrap_or(u32::MAX),
        text: listing,
        quoted: Default::default(),
    });
    let at_line = |l: usize| model::Origin { source: index, line: u32::try_from(l).unwrap_or(u32::MAX) };
    for p in &expanded.problems {
        model.warn(at_line(1), p.clone());
    }
    if !expanded.others.is_empty() {
        let total: u32 = expanded.others.values().sum();
        let folders: Vec<String> = expanded.others.iter().map(|(k, n)| format!("{k} ({n})")).collect();
        let last = expanded.members.len() + 2;
        model.warn(
            at_line(last),
            format!(
                "{name}: the support bundle also held {total} other {} that kubeleak does not read: {} \
                 (only pods, events, pod logs and node metrics are read)",
                if total == 1 { "member" } else { "members" },
                folders.join(", ")
            ),
        );
    }
    for m in expanded.members {
        add_member(m, model, digests, seq);
    }
}

fn add_member(m: Member, model: &mut Model, digests: &mut Digests, seq: &mut HashMap<SectionKind, u32>) {
    let source = model.sources.len();
    let lines: Vec<std::borrow::Cow<'_, str>> = crate::sections::lines(&m.text).collect();
    {
        let numbered: Vec<(u32, &str)> =
            lines.iter().enumerate().map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l.as_ref())).collect();
        let command = Command::parse_kubectl(&m.command);
        let kind = command.as_ref().map_or(SectionKind::Other, Command::kind);
        let last = numbered.last().map_or(1, |(n, _)| *n);
        let section = Section {
            kind,
            source,
            source_name: &m.name,
            command,
            other_command: None,
            at: None,
            exit_code: None,
            stderr: Vec::new(),
            lines: numbered,
            first_line: 1,
            last_line: last,
        };
        let counter = seq.entry(kind).or_insert(0);
        let ctx = crate::parse::SectionContext { default_namespace: model.capture.namespace.clone(), seq: *counter };
        *counter += 1;
        crate::parse::parse_section(&section, &ctx, model, digests);
        model.sections.push(model::SectionInfo {
            kind,
            command: Some(m.command.clone()),
            at: None,
            source,
            first_line: 1,
            last_line: last,
        });
    }
    model.sources.push(model::Source {
        name: m.name,
        bytes: m.text.len() as u64,
        lines: u32::try_from(lines.len()).unwrap_or(u32::MAX),
        text: lines.into_iter().map(std::borrow::Cow::into_owned).collect(),
        quoted: Default::default(),
    });
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// Builds a tar (gzipped when `gz`) of `(path, text)` members, as `kubectl
    /// support-bundle` lays them out.
    pub(crate) fn bundle(members: &[(&str, &str)], gz: bool) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, text) in members {
            let mut h = tar::Header::new_gnu();
            h.set_size(text.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, path, text.as_bytes()).unwrap();
        }
        let tar = b.into_inner().unwrap();
        if !gz {
            return tar;
        }
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&tar).unwrap();
        enc.finish().unwrap()
    }

    const ROOT: &str = "support-bundle-2026-11-24T10_00_00";

    #[test]
    fn paths_and_commands() {
        assert_eq!(
            bundle_path("support-bundle-2026-11-24T10_00_00/cluster-resources/pods/shop.json"),
            "cluster-resources/pods/shop.json"
        );
        assert_eq!(bundle_path("./cluster-resources/pods/shop.json"), "cluster-resources/pods/shop.json");
        assert_eq!(bundle_path("my-bundle/node-metrics/n1.json"), "node-metrics/n1.json");
        assert_eq!(bundle_path("host-collectors/run/x.txt"), "host-collectors/run/x.txt");
        let c = |p: &str| classify(p).map(|(_, c)| c);
        assert_eq!(c("cluster-resources/pods/shop.json").as_deref(), Some("kubectl get pods -n shop -o json"));
        assert_eq!(c("cluster-resources/pods-errors.json"), None);
        assert_eq!(c("cluster-resources/events/shop.json").as_deref(), Some("kubectl get events -n shop -o json"));
        assert_eq!(
            c("cluster-resources/pods/logs/shop/worker-1/worker-previous.log").as_deref(),
            Some("kubectl logs -n shop worker-1 -c worker --previous")
        );
        assert_eq!(
            c("cluster-resources/pods/logs/shop/worker-1/worker.log").as_deref(),
            Some("kubectl logs -n shop worker-1 -c worker")
        );
        assert_eq!(c("cluster-resources/pods/logs/shop/worker-1/worker-logs-errors.log"), None);
        assert_eq!(
            c("node-metrics/node-1.json").as_deref(),
            Some("kubectl get --raw /api/v1/nodes/node-1/proxy/stats/summary")
        );
        assert_eq!(c("cluster-resources/deployments/shop.json"), None);
    }

    #[test]
    fn recognised_by_content() {
        let tgz = bundle(&[("a/b.txt", "x")], true);
        assert!(is_tar(&tgz));
        assert!(is_tar(&bundle(&[("a/b.txt", "x")], false)));
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"NAME CPU(cores) MEMORY(bytes)\n").unwrap();
        assert!(!is_tar(&enc.finish().unwrap()));
        assert!(!is_tar(b"plain text"));
        let mut fake = vec![b'a'; 600];
        fake[257..262].copy_from_slice(b"ustar");
        assert!(!is_tar(&fake), "`ustar` at 257 without a valid checksum is text");
        assert!(expand("x.txt", b"plain text", &Limits::default()).is_none());
    }

    #[test]
    fn members_read_and_others_counted() {
        let pods = format!("{ROOT}/cluster-resources/pods/shop.json");
        let log = format!("{ROOT}/cluster-resources/pods/logs/shop/w-1/worker-previous.log");
        let errlog = format!("{ROOT}/cluster-resources/pods/logs/shop/w-2/worker-logs-errors.log");
        let dep = format!("{ROOT}/cluster-resources/deployments/shop.json");
        let host = format!("{ROOT}/host-collectors/run-host/uptime.txt");
        let version = format!("{ROOT}/version.yaml");
        let tgz = bundle(
            &[
                (&pods, "{\"kind\": \"PodList\", \"items\": []}\n"),
                (&log, "line one\nline two\n"),
                (&errlog, "failed to get log stream: container \"worker\" in pod \"w-2\" is waiting to start"),
                (&dep, "{}"),
                (&host, "up"),
                (&version, "x"),
            ],
            true,
        );
        let e = expand("sb.tar.gz", &tgz, &Limits::default()).unwrap();
        let paths: Vec<&str> = e.members.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(
            paths,
            ["cluster-resources/pods/shop.json", "cluster-resources/pods/logs/shop/w-1/worker-previous.log"]
        );
        assert_eq!(e.members[1].kind, MemberKind::Logs { previous: true });
        assert_eq!(e.members[1].name, "sb.tar.gz:cluster-resources/pods/logs/shop/w-1/worker-previous.log");
        assert_eq!(e.others.get("cluster-resources"), Some(&1));
        assert_eq!(e.others.get("host-collectors"), Some(&1));
        assert_eq!(e.others.get("(top level)"), Some(&1));
        assert_eq!(e.problems.len(), 1, "{:?}", e.problems);
        assert!(e.problems[0].contains("could not collect the log of container worker of pod shop/w-2"));
    }

    #[test]
    fn truncated_keeps_what_was_read_and_bomb_is_capped() {
        let big = "2026-11-24 10:00:00,000 INFO cache size=1 entries\n".repeat(400);
        let a = format!("{ROOT}/cluster-resources/pods/logs/shop/w-1/worker.log");
        let b = format!("{ROOT}/cluster-resources/pods/logs/shop/w-1/worker-previous.log");
        let tar = bundle(&[(&a, "first\n"), (&b, &big)], false);
        let cut = &tar[..tar.len() - 3000];
        let e = expand("sb.tar", cut, &Limits::default()).unwrap();
        assert_eq!(e.members.len(), 2, "the cut member keeps what was read");
        assert_eq!(e.members[0].text, "first\n");
        assert!(e.problems[0].contains("truncated or damaged support bundle"), "{:?}", e.problems);
        let tgz = bundle(&[(&a, "first\n"), (&b, &big)], true);
        let e = expand("sb.tgz", &tgz, &Limits { max_inflated_bytes: 4096, ..Limits::default() }).unwrap();
        assert_eq!(e.members.len(), 2);
        assert!(e.members[1].text.len() < 4096);
        assert!(e.problems[0].contains("worker-previous.log only in part"), "{:?}", e.problems);
        assert!(e.problems[0].contains("decompression bomb"), "{:?}", e.problems);
        // Cut anywhere, it never panics.
        for n in (0..tgz.len()).step_by(97) {
            let _ = expand("sb.tgz", &tgz[..n], &Limits::default());
        }
    }

    /// Older troubleshoot versions wrote `pods.Items` and `events.Items`: bare arrays.
    #[test]
    fn bare_arrays_of_older_bundles() {
        let pods = format!("{ROOT}/cluster-resources/pods/shop.json");
        let events = format!("{ROOT}/cluster-resources/events/shop.json");
        let tgz = bundle(
            &[
                (&pods, "[\n  {\n    \"metadata\": {\"name\": \"w-1\", \"namespace\": \"shop\"},\n    \"spec\": {\"containers\": [{\"name\": \"worker\", \"resources\": {\"limits\": {\"memory\": \"512Mi\"}}}]}\n  }\n]\n"),
                (&events, "[{\"involvedObject\": {\"kind\": \"Pod\", \"name\": \"w-1\", \"namespace\": \"shop\"}, \"reason\": \"OOMKilling\", \"type\": \"Warning\", \"count\": 2}]"),
            ],
            true,
        );
        let a = crate::analyze(&[crate::Input { name: "old.tar.gz", bytes: &tgz }], &Limits::default());
        let pod = a.model.pod(Some("shop"), "w-1").unwrap();
        assert_eq!(pod.container("worker").unwrap().memory_limit.as_ref().unwrap().value, 512 << 20);
        assert_eq!(pod.events[0].reason, "OOMKilling");
        assert!(a.model.warnings.is_empty(), "{:?}", a.model.warnings);
    }

    #[test]
    fn analyzed_as_kubectl_output() {
        let pods = format!("{ROOT}/cluster-resources/pods/shop.json");
        let log = format!("{ROOT}/cluster-resources/pods/logs/shop/w-1/worker.log");
        let pod_json = r#"{
  "kind": "PodList",
  "apiVersion": "v1",
  "metadata": {"resourceVersion": "1"},
  "items": [
    {
      "kind": "Pod",
      "apiVersion": "v1",
      "metadata": {"name": "w-1", "namespace": "shop"},
      "spec": {"containers": [{"name": "worker", "image": "python:3.12", "resources": {"limits": {"memory": "512Mi"}}}]},
      "status": {"phase": "Running", "containerStatuses": [{"name": "worker", "ready": true, "restartCount": 2, "image": "python:3.12", "imageID": "", "state": {"running": {"startedAt": "2026-11-24T09:41:00Z"}}, "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": "2026-11-24T09:00:00Z", "finishedAt": "2026-11-24T09:40:58Z"}}}]}
    }
  ]
}
"#;
        let tgz = bundle(&[(&pods, pod_json), (&log, "2026-11-24 10:00:00,000 INFO started\n")], true);
        let a = crate::analyze(&[crate::Input { name: "support-bundle.tar.gz", bytes: &tgz }], &Limits::default());
        let m = &a.model;
        assert_eq!(m.sources[0].name, "support-bundle.tar.gz");
        assert_eq!(m.sources[1].name, "support-bundle.tar.gz:cluster-resources/pods/shop.json");
        let c = m.pod(Some("shop"), "w-1").unwrap().container("worker").unwrap();
        assert_eq!(c.memory_limit.as_ref().unwrap().value, 512 << 20);
        assert_eq!(
            m.line_text(c.memory_limit.as_ref().unwrap().origin).trim(),
            r#""spec": {"containers": [{"name": "worker", "image": "python:3.12", "resources": {"limits": {"memory": "512Mi"}}}]},"#
        );
        assert_eq!(c.logs.len(), 1);
        assert_eq!(c.logs[0].lines[0].origin, model::Origin { source: 2, line: 1 });
        assert!(
            a.findings.iter().any(|f| f.title.contains("OOM")),
            "{:?}",
            a.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    }
}
