//! What a bundle's sections are made of: the kubectl [`Command`] a prompt shows, the
//! [`Section`] the parsers read, cleaning lines ([`lines`]: ANSI codes, CR), and the
//! recognisers the splitter ([`crate::split`]) applies line by line:
//! - prompt lines: `$ kubectl …`, `% kubectl …`, `user@host:~/x$ kubectl …`,
//!   `[me@box dir]$ kubectl …`, `# kubectl …`, `PS C:\> kubectl …`, and a bare
//!   `kubectl …` line; other shell commands (`date`, `grep`, `watch`…) after a prompt;
//! - `watch` headers: `Every 30.0s: kubectl top pod …   host: Tue Nov 24 10:00:00 2026`;
//! - the collector's annotations (see `docs/bundle-format.md`): the `# kubeleak-bundle:`
//!   header, `  # at <RFC 3339>` after a command, `# kubeleak: exit-code N`,
//!   `# kubeleak: stderr: …`;
//! - without prompts, each output by the shape of its first line (`NAME  CPU(cores)
//!   MEMORY(bytes)` is `top pod`, `Name:` then `Namespace:` is `describe pod`, …).
//!
//! ANSI colour codes and CR line ends are removed first. Example:
//! ```text
//! $ kubectl top pod -n shop      # at 2026-11-24T10:00:05Z
//! NAME                      CPU(cores)   MEMORY(bytes)
//! worker-7d9f8b6c5-x2x9k    212m         301Mi
//! ```
//! is one [`Section`] of kind `TopPod`, namespace `shop`, at 10:00:05Z, two output lines.

use std::sync::OnceLock;

use jiff::Timestamp;
use regex::Regex;

use crate::model::SectionKind;

/// A kubectl command line as the prompt showed it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Command {
    /// The command as typed, without the prompt, pipes kept.
    pub raw: String,
    /// Words after `kubectl` up to the first pipe, flags included.
    pub args: Vec<String>,
    /// Words that are not flags or flag values (`top`, `pod`, `NAME`…).
    pub positional: Vec<String>,
    pub namespace: Option<String>,
    pub all_namespaces: bool,
    pub output: Option<String>,
    pub container: Option<String>,
    pub selector: Option<String>,
    pub previous: bool,
    pub timestamps: bool,
    pub containers_flag: bool,
    pub prefix: bool,
}

impl Command {
    /// The one pod the command names: `describe pod X`, `get pods X -o …`, `get pod/X`,
    /// `logs X`; `None` for anything else (a selector, several pods, another resource).
    pub fn pod_name(&self) -> Option<&str> {
        let pos: Vec<&str> = self.positional.iter().map(String::as_str).collect();
        let is_pod = |r: &str| matches!(r, "pod" | "pods" | "po");
        let named = match pos.as_slice() {
            ["logs", name, ..] => Some(*name),
            [_, res, name] if is_pod(res) => Some(*name),
            [_, res] => res.split_once('/').filter(|(r, _)| is_pod(r)).map(|(_, n)| n),
            _ => None,
        };
        named.filter(|n| !n.is_empty() && !n.contains('/'))
    }

    /// Parses the words after a prompt. `None` if this is not a kubectl command.
    pub fn parse_kubectl(raw: &str) -> Option<Command> {
        let words = shlex::split(raw).unwrap_or_else(|| raw.split_whitespace().map(str::to_string).collect());
        let first = words.first()?;
        let exe = first.rsplit(['/', '\\']).next().unwrap_or(first);
        if !matches!(exe, "kubectl" | "kubectl.exe" | "kubectl.sh" | "oc" | "k") {
            return None;
        }
        let mut cmd = Command { raw: raw.to_string(), ..Command::default() };
        let args: Vec<String> =
            words[1..].iter().take_while(|w| !w.starts_with('|') && *w != "&&" && *w != ";").cloned().collect();
        // Flags that take a value in the next word when written without `=`.
        const VALUED: [&str; 14] = [
            "-n",
            "--namespace",
            "-o",
            "--output",
            "-c",
            "--container",
            "-l",
            "--selector",
            "--context",
            "--kubeconfig",
            "--tail",
            "--since",
            "--field-selector",
            "--sort-by",
        ];
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a == "--" {
                break; // `kubectl exec POD -- sh -c …`: the rest is the remote command's
            }
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) if f.starts_with('-') => (f, Some(v.to_string())),
                _ => (a.as_str(), None),
            };
            let takes_value = VALUED.contains(&flag);
            let value = if takes_value {
                match inline.clone() {
                    Some(v) => Some(v),
                    None => {
                        i += 1;
                        args.get(i).cloned()
                    }
                }
            } else {
                // `-oyaml`, `-nshop` written glued.
                if let Some(v) = flag.strip_prefix("-o").filter(|v| !v.is_empty() && !flag.starts_with("--")) {
                    cmd.output = Some(v.to_string());
                } else if let Some(v) = flag.strip_prefix("-n").filter(|v| !v.is_empty() && !flag.starts_with("--")) {
                    cmd.namespace = Some(v.to_string());
                }
                None
            };
            match flag {
                "-n" | "--namespace" => cmd.namespace = value,
                "-o" | "--output" => cmd.output = value,
                "-c" | "--container" => cmd.container = value,
                "-l" | "--selector" => cmd.selector = value,
                "-A" | "--all-namespaces" => cmd.all_namespaces = inline.as_deref() != Some("false"),
                "-p" | "--previous" => cmd.previous = inline.as_deref() != Some("false"),
                "--timestamps" => cmd.timestamps = inline.as_deref() != Some("false"),
                "--containers" => cmd.containers_flag = inline.as_deref() != Some("false"),
                "--prefix" => cmd.prefix = inline.as_deref() != Some("false"),
                _ if flag.starts_with('-') => {}
                _ => cmd.positional.push(a.clone()),
            }
            i += 1;
        }
        cmd.args = args;
        Some(cmd)
    }

    /// The section kind this command prints.
    pub fn kind(&self) -> SectionKind {
        let p: Vec<&str> = self.positional.iter().map(String::as_str).collect();
        let resource = |r: &str| {
            let r = r.split('/').next().unwrap_or(r);
            r.split('.').next().unwrap_or(r).to_ascii_lowercase()
        };
        let is_pods = |r: &str| matches!(resource(r).as_str(), "pod" | "pods" | "po");
        // `kubectl get --raw '/api/v1/namespaces/NS/services/SVC:PORT/proxy/api/v1/query_range?…'`
        if p.first() == Some(&"get") && self.args.iter().any(|a| is_prometheus_url(a)) {
            return SectionKind::Prometheus;
        }
        match p.as_slice() {
            ["top", r, ..] if is_pods(r) => SectionKind::TopPod,
            ["top", r, ..] if matches!(resource(r).as_str(), "node" | "nodes" | "no") => SectionKind::TopNode,
            ["get", r, ..] if is_pods(r) => match self.output.as_deref() {
                Some("json") => SectionKind::GetPodsJson,
                Some("yaml") => SectionKind::GetPodsYaml,
                Some(o) if o != "wide" => SectionKind::Other,
                _ => SectionKind::GetPods,
            },
            ["get", r, ..] if matches!(resource(r).as_str(), "events" | "event" | "ev") => SectionKind::GetEvents,
            ["describe", r, ..] if is_pods(r) => SectionKind::DescribePod,
            // `kubectl events` (1.26+) prints the same table as `get events`.
            ["events", ..] => SectionKind::GetEvents,
            ["logs", ..] | ["log", ..] => SectionKind::Logs,
            _ => SectionKind::Other,
        }
    }
}

/// Whether a word is a Prometheus HTTP API query URL or path (`…/api/v1/query_range?…`,
/// `…/api/v1/query?…`), as the collector writes it (docs/prometheus.md).
pub fn is_prometheus_url(word: &str) -> bool {
    word.contains("/api/v1/query_range?") || word.contains("/api/v1/query?")
}

/// One block of output, ready for its parser.
#[derive(Clone, Debug)]
pub struct Section<'a> {
    pub kind: SectionKind,
    pub source: usize,
    pub source_name: &'a str,
    /// The kubectl command (when a prompt or watch header showed it).
    pub command: Option<Command>,
    /// A shell command that is not kubectl (`date`, `grep …`).
    pub other_command: Option<String>,
    /// When the command ran (collector annotation, watch header, or a preceding `date`).
    pub at: Option<Timestamp>,
    pub exit_code: Option<i32>,
    pub stderr: Vec<String>,
    /// Output lines: 1-based line number and cleaned text.
    pub lines: Vec<(u32, &'a str)>,
    /// 1-based line of the prompt, or of the first output line.
    pub first_line: u32,
    pub last_line: u32,
}

impl<'a> Section<'a> {
    pub(crate) fn new(source: usize, source_name: &'a str, first_line: u32) -> Self {
        Section {
            kind: SectionKind::Unknown,
            source,
            source_name,
            command: None,
            other_command: None,
            at: None,
            exit_code: None,
            stderr: Vec::new(),
            lines: Vec::new(),
            first_line,
            last_line: first_line,
        }
    }

    /// Namespace given on the command line, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.command.as_ref().and_then(|c| c.namespace.as_deref())
    }

    /// True if the section has no non-blank output line.
    pub fn is_blank(&self) -> bool {
        self.lines.iter().all(|(_, l)| l.trim().is_empty())
    }
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid regex"))
}

pub(crate) fn prompt_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    // Prefix: PowerShell `PS C:\x>`, bracketed `[me@box dir]$`, or a spaceless `user@host:~/x$`,
    // `$`, `%`, `#`, `>`; then the command.
    re(
        &R,
        concat!(
            r"^\s*(?:PS [^>]*>|\[[^\]]*\][$#%]|[^\s$#%>]*[$#%>])\s*",
            r"(?P<cmd>(?:[\w./\\-]*[/\\])?(?:kubectl(?:\.exe)?|oc|k|date|watch|grep|egrep|cat|echo|less|tail|head|sleep|cd|ls|export|clear|jq|awk|sed|curl|wget|gcloud|kubectx|kubens|helm|zcat|gunzip)(?:\s.*)?)$",
            // A bare `kubectl …` line with no prompt.
            r"|^(?P<bare>kubectl(?:\.exe)?\s.*)$",
        ),
    )
}

pub(crate) fn watch_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"^Every\s+[\d.]+s:\s+(?P<cmd>.+?)\s{2,}(?:\S+:\s+)?(?P<date>\w{3}\s+\w{3}\s+\d+\s+\d\d:\d\d:\d\d\s+\d{4})\s*$",
    )
}

pub(crate) fn at_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"\s+#\s*at\s+(?P<at>\d{4}-\d\d-\d\dT\S+)\s*$")
}

fn ansi_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
}

/// Removes ANSI escape sequences (colours, cursor moves) and a trailing CR.
pub fn clean_line(line: &str) -> std::borrow::Cow<'_, str> {
    let has_escape = memchr::memchr(0x1b, line.as_bytes()).is_some();
    clean(line, has_escape)
}

/// [`clean_line`] when whether the line has an escape byte (0x1B) is known.
pub(crate) fn clean(line: &str, has_escape: bool) -> std::borrow::Cow<'_, str> {
    // Byte tests, not `strip_suffix('\r')`: at opt-level "z" a char pattern is a memcmp call.
    let line = match line.as_bytes().last() {
        Some(b'\r') => line.get(..line.len() - 1).unwrap_or(line),
        _ => line,
    };
    if !has_escape {
        return std::borrow::Cow::Borrowed(line);
    }
    std::borrow::Cow::Owned(ansi_re().replace_all(line, "").into_owned())
}

/// The cleaned lines of a text ([`clean_line`] on each), borrowed unless they had
/// escape codes. Same lines as `text.split('\n')` without the empty piece after a final
/// newline; an empty text has no line. One `memchr2` pass finds the line ends and the
/// escapes together.
pub fn lines(text: &str) -> Lines<'_> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    Lines { text: body, start: 0, hits: memchr::memchr2_iter(b'\n', 0x1b, body.as_bytes()), done: text.is_empty() }
}

/// Iterator of [`lines`].
pub struct Lines<'a> {
    text: &'a str,
    start: usize,
    hits: memchr::Memchr2<'a>,
    done: bool,
}

impl<'a> Iterator for Lines<'a> {
    type Item = std::borrow::Cow<'a, str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut has_escape = false;
        for i in self.hits.by_ref() {
            if self.text.as_bytes().get(i) == Some(&b'\n') {
                // `\n` is ASCII, so both ends are char boundaries.
                let line = self.text.get(self.start..i).unwrap_or("");
                self.start = i + 1;
                return Some(clean(line, has_escape));
            }
            has_escape = true;
        }
        self.done = true;
        Some(clean(self.text.get(self.start..).unwrap_or(""), has_escape))
    }
}

/// Cheap test that must pass for [`prompt_re`] to match: a bare `kubectl`, a `PS ` or
/// `[…]` prompt, or a first word that reaches a prompt character (`$ # % >`) before
/// any space. Most output lines fail it at their first space, without running the regex.
pub(crate) fn may_be_prompt(line: &str) -> bool {
    // `\s` in the regex is Unicode White_Space, like `trim_start` and `is_whitespace`.
    // ASCII spaces are skipped by hand (`trim_start` is a slow char loop at opt-level
    // "z"); a non-ASCII byte after them may be a Unicode space, so `trim_start` decides.
    let b = line.as_bytes();
    let i = b.iter().position(|c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')).unwrap_or(b.len());
    let t = match b.get(i) {
        Some(&c) if c >= 0x80 => line.trim_start(),
        _ => line.get(i..).unwrap_or(""),
    };
    // First byte before the literal compare: each `starts_with(&str)` is a memcmp call.
    let literal = match t.as_bytes().first() {
        Some(b'k') => t.starts_with("kubectl"),
        Some(b'P') => t.starts_with("PS "),
        Some(b'[') => true,
        _ => false,
    };
    if literal {
        return true;
    }
    // Bytes, not chars: the first word is ASCII in nearly every line. One table lookup
    // a byte: 0 word byte, 1 prompt character, 2 ASCII space, 3 non-ASCII.
    for (i, &b) in t.as_bytes().iter().enumerate() {
        match BYTE_CLASS[usize::from(b)] {
            0 => {}
            1 => return true,
            2 => return false,
            // A non-ASCII space (U+00A0, U+3000…) ends the word too; continuation bytes
            // are not char boundaries and are skipped by `get`.
            _ => {
                if t.get(i..).and_then(|r| r.chars().next()).is_some_and(char::is_whitespace) {
                    return false;
                }
            }
        }
    }
    false
}

/// Byte classes for [`may_be_prompt`].
static BYTE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'$' as usize] = 1;
    t[b'#' as usize] = 1;
    t[b'%' as usize] = 1;
    t[b'>' as usize] = 1;
    t[b' ' as usize] = 2;
    t[b'\t' as usize] = 2;
    t[b'\n' as usize] = 2;
    t[0x0b] = 2;
    t[0x0c] = 2;
    t[b'\r' as usize] = 2;
    let mut i = 0x80;
    while i < 256 {
        t[i] = 3;
        i += 1;
    }
    t
};

/// Recognises the kind of a bare output by its first line (and the next few, for
/// `describe` and JSON/YAML).
pub fn detect_header(lines: &[(u32, &str)], i: usize) -> Option<SectionKind> {
    let line = lines[i].1;
    // Every table header below starts with one of these words; other lines (most of a
    // bare log) skip collecting their words.
    let table = matches!(line.split_whitespace().next(), Some("NAME" | "NAMESPACE" | "POD"));
    let words: Vec<&str> = if table { line.split_whitespace().collect() } else { Vec::new() };
    let starts = |prefix: &[&str]| words.len() >= prefix.len() && words.iter().zip(prefix).all(|(a, b)| a == b);
    if starts(&["NAME", "CPU(cores)", "MEMORY(bytes)"])
        || starts(&["NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)"])
        || starts(&["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"])
        || starts(&["NAMESPACE", "POD", "NAME", "CPU(cores)", "MEMORY(bytes)"])
    {
        return Some(SectionKind::TopPod);
    }
    if starts(&["NAME", "CPU(cores)"]) && words.iter().any(|w| w.starts_with("CPU%") || w.starts_with("CPU(%)")) {
        return Some(SectionKind::TopNode);
    }
    if starts(&["NAME", "READY", "STATUS", "RESTARTS"]) || starts(&["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS"])
    {
        return Some(SectionKind::GetPods);
    }
    if line.trim_start().starts_with("LAST SEEN") || (starts(&["NAMESPACE", "LAST"]) && line.contains("LAST SEEN")) {
        return Some(SectionKind::GetEvents);
    }
    let next = |k: usize| lines.get(i + k).map(|(_, l)| *l).unwrap_or("");
    if line.starts_with("Name:") && (1..=3).any(|k| next(k).starts_with("Namespace:")) {
        return Some(SectionKind::DescribePod);
    }
    if let Some(kind) = history_header(line, &next) {
        return Some(kind);
    }
    if line.trim_end() == "{" {
        let head: String = (1..=6).map(next).collect::<Vec<_>>().join("\n");
        if head.contains("\"apiVersion\"") || head.contains("\"kind\"") {
            return Some(SectionKind::GetPodsJson);
        }
    }
    if line.starts_with("apiVersion: ")
        && (1..=3).any(|k| next(k).starts_with("kind: ") || next(k).starts_with("items:"))
    {
        return Some(SectionKind::GetPodsYaml);
    }
    if crate::pyprof::is_header(lines, i) {
        return Some(SectionKind::PyProfile);
    }
    None
}

/// A Prometheus API response or a Grafana CSV export, pasted alone (docs/prometheus.md):
/// `{"status":"success"…` / `{"status":"error"…` on one line, `{` then `"status":` and
/// `"data"`/`"resultType"`/`"errorType"` within six lines (pretty-printed), or a CSV
/// header whose first cell is `Time` followed by a row that starts with a time.
fn history_header<'l>(line: &str, next: &dyn Fn(usize) -> &'l str) -> Option<SectionKind> {
    let t = line.trim_start_matches('\u{feff}').trim();
    let compact = t.strip_prefix('{').map(str::trim_start).and_then(|r| r.strip_prefix("\"status\""));
    if let Some(rest) = compact {
        let v = rest.trim_start().strip_prefix(':').map(str::trim_start).unwrap_or("");
        if v.starts_with("\"success\"") || v.starts_with("\"error\"") {
            return Some(SectionKind::Prometheus);
        }
    }
    if t == "{" && next(1).trim_start().starts_with("\"status\"") {
        let head: String = (1..=6).map(next).collect::<Vec<_>>().join("\n");
        if ["\"data\"", "\"resultType\"", "\"errorType\""].iter().any(|k| head.contains(k)) {
            return Some(SectionKind::Prometheus);
        }
    }
    let first_cell = |l: &str| -> String {
        let l = l.trim_start_matches('\u{feff}');
        let cell = l.split([',', ';', '\t']).next().unwrap_or("");
        cell.trim().trim_matches('"').to_string()
    };
    if t.len() > 5 && t.contains([',', ';', '\t']) && matches!(first_cell(t).as_str(), "Time" | "time") {
        let row = first_cell(next(1));
        let timeish = row.len() >= 10 && row.bytes().take(4).all(|b| b.is_ascii_digit());
        if timeish {
            return Some(SectionKind::GrafanaCsv);
        }
    }
    None
}

/// Kind suggested by a file name when the content has no prompt and no known header.
pub(crate) fn kind_from_name(name: &str) -> Option<SectionKind> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).to_ascii_lowercase();
    let base = base.strip_suffix(".gz").unwrap_or(&base);
    if base.ends_with(".log") || base.starts_with("logs") {
        Some(SectionKind::Logs)
    } else {
        None
    }
}

pub(crate) fn set_command(s: &mut Section<'_>, cmd: &str) {
    match Command::parse_kubectl(cmd) {
        Some(c) => {
            s.kind = c.kind();
            s.command = Some(c);
        }
        None => {
            s.kind = SectionKind::Other;
            // `watch kubectl top pod` is the kubectl command inside.
            let inner = cmd.strip_prefix("watch").map(|r| {
                let r = r.trim_start();
                let mut words = r.split_whitespace().peekable();
                let mut rest = r;
                while let Some(w) = words.next() {
                    if w.starts_with('-') {
                        rest = rest[rest.find(w).map(|p| p + w.len()).unwrap_or(0)..].trim_start();
                        if matches!(w, "-n" | "--interval") {
                            if let Some(v) = words.next() {
                                rest = rest[rest.find(v).map(|p| p + v.len()).unwrap_or(0)..].trim_start();
                            }
                        }
                    } else {
                        break;
                    }
                }
                rest.to_string()
            });
            match inner.as_deref().and_then(Command::parse_kubectl) {
                Some(c) => {
                    s.kind = c.kind();
                    s.command = Some(c);
                }
                None => {
                    // `curl -s 'http://…/api/v1/query_range?…'` (the collector's `--prometheus`).
                    if shlex::split(cmd).unwrap_or_default().iter().any(|w| is_prometheus_url(w)) {
                        s.kind = SectionKind::Prometheus;
                    }
                    s.other_command = Some(cmd.to_string());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_flags() {
        let c =
            Command::parse_kubectl("kubectl logs -n shop worker-1 -c app --previous --timestamps=true | grep -i mem")
                .unwrap();
        assert_eq!(c.kind(), SectionKind::Logs);
        assert_eq!(c.namespace.as_deref(), Some("shop"));
        assert_eq!(c.container.as_deref(), Some("app"));
        assert!(c.previous && c.timestamps);
        assert_eq!(c.positional, vec!["logs", "worker-1"]);
        assert_eq!(Command::parse_kubectl("kubectl get po -oyaml").unwrap().kind(), SectionKind::GetPodsYaml);
        assert_eq!(Command::parse_kubectl("kubectl get pods -o wide -A").unwrap().kind(), SectionKind::GetPods);
        assert_eq!(Command::parse_kubectl("kubectl get deploy").unwrap().kind(), SectionKind::Other);
        assert!(Command::parse_kubectl("date").is_none());
        assert_eq!(
            Command::parse_kubectl("kubectl events -n shop --for pod/w-1").unwrap().kind(),
            SectionKind::GetEvents
        );
        let exec = Command::parse_kubectl("kubectl exec -n shop w-1 -c worker -- sh -c 'kill -USR2 1'").unwrap();
        assert_eq!(
            (exec.container.as_deref(), exec.positional.as_slice()),
            (Some("worker"), ["exec".to_string(), "w-1".to_string()].as_slice())
        );
    }

    /// The lines as the analysis cut them before `lines()` (split, then `clean_line`).
    fn reference_lines(text: &str) -> Vec<String> {
        if text.is_empty() {
            return Vec::new();
        }
        let t = text.strip_suffix('\n').unwrap_or(text);
        t.split('\n').map(|l| clean_line(l).into_owned()).collect()
    }

    #[test]
    fn lines_cut_and_clean_like_split() {
        for text in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\r\nb\r\n",
            "a\n\nb",
            "\x1b[32m$ kubectl top pod\x1b[0m\r\nNAME\n\x1b",
            "x\x1b]0;title\x07y\n\x1b[1mz\x1b[0m",
            "é\u{3000}\n\u{1b}[2K\r",
        ] {
            let got: Vec<String> = lines(text).map(|l| l.into_owned()).collect();
            assert_eq!(got, reference_lines(text), "{text:?}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn lines_match_reference(text in "[a\n\r\x1b\\[0-9;m\\]\x07é ]{0,40}") {
            let got: Vec<String> = lines(&text).map(|l| l.into_owned()).collect();
            proptest::prop_assert_eq!(got, reference_lines(&text));
        }

        /// The prefilter never hides a prompt from the regex.
        #[test]
        fn prefilter_never_hides_a_prompt(
            pre in "[ \t\u{a0}\u{3000}]{0,2}",
            prompt in "(PS C:\\\\x>|\\[me@box d\\]\\$|user@host:~/x\\$|[$#%>]|x[$#%>]|kubectl|)",
            gap in "[ \u{3000}]{0,2}",
            cmd in "(kubectl|k|oc|date|watch|grep|kubectl.exe|/usr/bin/kubectl)( top pod| -n shop)?",
            noise in "[a-z$#%> \\[\\]]{0,6}",
        ) {
            for line in [format!("{pre}{prompt}{gap}{cmd}"), format!("{noise}{cmd}"), format!("{pre}{noise}{prompt}{gap}{cmd}")] {
                if prompt_re().is_match(&line) {
                    proptest::prop_assert!(may_be_prompt(&line), "{:?}", line);
                }
            }
        }
    }

    #[test]
    fn prefilter_rejects_output_lines() {
        for l in [
            "2026-11-24T09:10:46.278188281Z INFO:     10.244.0.146:57457 - \"GET /metrics HTTP/1.1\" 200 OK",
            "    Liveness:  http-get http://:8000/healthz delay=10s #success=1 #failure=3",
            "worker-7d9f8b6c5-x2x9k    212m         301Mi",
            "",
        ] {
            assert!(!may_be_prompt(l), "{l:?}");
        }
        for l in
            ["$ kubectl top pod", "  # kubectl get pods", "kubectl logs x", "PS C:\\> kubectl get pods", "[a b]$ date"]
        {
            assert!(may_be_prompt(l), "{l:?}");
        }
    }
}
