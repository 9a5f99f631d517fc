//! Plain-text rendering of an analysis for the terminal: pods with their memory
//! samples, then findings (severity, kind, where, title, detail, advice, and evidence as
//! `source:line: text`), then warnings. Colour (ANSI) only when standard output is a
//! terminal and `NO_COLOR` is not set.
//!
//! Example finding:
//! ```text
//! CRITICAL oom-killed  shop/worker-7d9f8b6c5-x2x9k/worker
//!   worker was OOMKilled (exit 137) at its 512Mi limit; 5 restarts
//!     The container's memory … reached its 512Mi limit …
//!   advice: An OOM kill gives Python no chance …
//!   evidence:
//!     bundle.txt:42:       Reason:       OOMKilled
//! ```

use std::io::IsTerminal;

use kubeleak_analysis::{quantity::format_bytes, report, Analysis, Severity};

/// Renders for standard output: coloured when it is a terminal.
pub fn render(analysis: &Analysis) -> String {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    render_with(analysis, colour)
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn severity(&self, s: Severity) -> String {
        match s {
            Severity::Critical => self.paint("1;31", "CRITICAL"),
            Severity::Warning => self.paint("1;33", "WARNING "),
            Severity::Info => self.paint("36", "INFO    "),
        }
    }
}

/// Wraps `text` at `width` columns, every line starting with `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The diagnoses (headline, kinds, advice once), then pods with their memory samples,
/// then findings (whose advice is the diagnosis' when they belong to one), then
/// warnings.
pub fn render_with(analysis: &Analysis, colour: bool) -> String {
    let st = Style { on: colour };
    // Bundle text reaches the terminal only with its control, bidi and invisible
    // characters written out (a log line's ESC sequences could drive the terminal).
    let r = report::build(analysis).visible();
    let mut out = String::new();
    // The verdicts first: one per container with a problem.
    let mut diagnosis_of = vec![None; r.findings.len()];
    if !r.diagnoses.is_empty() {
        out.push_str(&format!("{} diagnosis(es)\n", r.diagnoses.len()));
        for (n, d) in r.diagnoses.iter().enumerate() {
            let worst = d.findings.iter().filter_map(|&i| r.findings.get(i)).map(|f| f.severity).max();
            out.push_str(&format!(
                "\n{}. {} {}\n",
                n + 1,
                worst.map(|s| st.severity(s)).unwrap_or_default(),
                st.paint("1", &d.kinds.join(", "))
            ));
            out.push_str(&wrap(&st.paint("1", &d.headline), "   ", 100));
            for (k, a) in d.advice.iter().enumerate() {
                out.push_str(&wrap(&format!("{} {a}", st.paint("32", &format!("{}.", k + 1))), "   ", 100));
            }
            for &i in &d.findings {
                if let Some(slot) = diagnosis_of.get_mut(i) {
                    *slot = Some(n + 1);
                }
            }
        }
        out.push('\n');
    }
    // Workloads of several replicas: the verdict and every replica, fastest-growing first.
    let fleets = kubeleak_analysis::fleet::fleets(analysis);
    let tabled = push_workloads(&mut out, &st, &fleets);
    out.push_str(&format!("{} pod(s)\n", r.pods.len()));
    if !tabled.is_empty() {
        out.push_str(&format!("  ({} pods of workloads above are listed in their tables)\n", tabled.len()));
    }
    for p in r.pods.iter().filter(|p| !tabled.contains(&p.name.as_str())) {
        let ns = p.namespace.as_deref().unwrap_or("?");
        out.push_str(&format!("\npod {ns}/{}", p.name));
        if let Some(s) = &p.status {
            out.push_str(&format!("  status {s}"));
        }
        if let Some(n) = p.restarts {
            out.push_str(&format!("  restarts {n}"));
        }
        out.push('\n');
        push_samples(&mut out, "  memory", &p.memory_samples);
        for c in &p.containers {
            out.push_str(&format!("  container {}", c.name));
            if let Some(l) = c.memory_limit_bytes {
                out.push_str(&format!("  limit {}", format_bytes(l)));
            }
            if let Some(l) = c.memory_request_bytes {
                out.push_str(&format!("  request {}", format_bytes(l)));
            }
            out.push('\n');
            push_samples(&mut out, "    memory", &c.memory_samples);
        }
    }
    if r.findings.is_empty() {
        out.push_str("\nno findings\n");
    } else {
        out.push_str(&format!("\n{} finding(s)\n", r.findings.len()));
        for ((f, model_f), diag) in r.findings.iter().zip(&analysis.findings).zip(&diagnosis_of) {
            let ns = model_f.namespace.as_deref().map(kubeleak_analysis::display::visible);
            let place = match (&ns, &f.pod, &f.container) {
                (ns, Some(p), Some(c)) => {
                    format!("{}{p}/{c}", ns.as_deref().map(|n| format!("{n}/")).unwrap_or_default())
                }
                (ns, Some(p), None) => format!("{}{p}", ns.as_deref().map(|n| format!("{n}/")).unwrap_or_default()),
                _ => String::new(),
            };
            out.push_str(&format!("\n{} {}  {}\n", st.severity(f.severity), st.paint("1", f.kind), place));
            out.push_str(&wrap(&st.paint("1", &f.title), "  ", 100));
            if !f.detail.is_empty() {
                out.push_str(&wrap(&f.detail, "    ", 100));
            }
            match diag {
                // Its advice is the diagnosis', said once there.
                Some(n) => out.push_str(&format!("  {} see diagnosis {n}\n", st.paint("32", "advice:"))),
                None if !f.advice.is_empty() => {
                    out.push_str(&wrap(&format!("{} {}", st.paint("32", "advice:"), f.advice), "  ", 100))
                }
                None => {}
            }
            if !f.evidence.is_empty() {
                out.push_str("  evidence:\n");
                for e in &f.evidence {
                    let loc = match e.line {
                        Some(l) => format!("{}:{l}:", e.source),
                        None => format!("{}:", e.source),
                    };
                    out.push_str(&format!("    {} {}\n", st.paint("2", &loc), e.text.trim_end()));
                }
            }
        }
    }
    if !r.warnings.is_empty() {
        out.push_str(&format!("\n{} warning(s)\n", r.warnings.len()));
        for w in &r.warnings {
            match w.line {
                Some(l) => out.push_str(&format!("  {}:{}: {}\n", w.source, l, w.message)),
                None => out.push_str(&format!("  {}: {}\n", w.source, w.message)),
            }
        }
    }
    // What redaction replaced: counts and kinds, never values.
    if let Some(line) = kubeleak_analysis::redaction::summary(analysis) {
        out.push_str(&format!("\n{line}\n"));
    }
    out
}

/// Samples shown one by one at most; a longer series (hours of Prometheus history) shows
/// its first and last [`SAMPLES_AT_ENDS`] with the count, lowest and highest between.
const SAMPLES_SHOWN: usize = 12;
const SAMPLES_AT_ENDS: usize = 3;

/// The workloads of several replicas, each with its verdict and a row per replica
/// (growth, last value, limit, OOM kills), growing ones first and marked `▲`. Returns
/// the pods of the workloads shown as tables (more than `fleet::CHART_MAX` replicas),
/// which the pod list then leaves out.
fn push_workloads<'f>(out: &mut String, st: &Style, fleets: &'f [kubeleak_analysis::fleet::Fleet]) -> Vec<&'f str> {
    use kubeleak_analysis::fleet::slope_text;
    let mut tabled = Vec::new();
    if fleets.is_empty() {
        return tabled;
    }
    out.push_str(&format!("{} workload(s)\n", fleets.len()));
    for f in fleets {
        let kind = if f.kind.is_empty() { String::new() } else { format!("  {}", f.kind) };
        out.push_str(&format!(
            "\n{}{kind}  {} pods\n",
            st.paint("1", &format!("workload {}", f.name)),
            f.replicas.len()
        ));
        out.push_str(&wrap(&f.headline, "  ", 100));
        let width = f.replicas.iter().map(|r| r.pod.chars().count()).max().unwrap_or(0);
        for r in &f.replicas {
            let mark = if r.growing { st.paint("1;31", "▲") } else { " ".into() };
            out.push_str(&format!(
                "  {mark} {:<width$}  {:>12}  last {:>7}  limit {:>7}{}\n",
                r.pod,
                slope_text(r.slope),
                r.last.map(format_bytes).unwrap_or_else(|| "—".into()),
                r.limit.map(format_bytes).unwrap_or_else(|| "—".into()),
                if r.oom_killed { "  OOM-killed" } else { "" },
            ));
            if f.is_table() {
                tabled.push(r.pod.as_str());
            }
        }
    }
    out.push('\n');
    tabled
}

fn push_samples(out: &mut String, label: &str, samples: &[report::Sample]) {
    if samples.is_empty() {
        return;
    }
    let one = |s: &report::Sample| match &s.at {
        Some(at) => format!("{} @ {at}", format_bytes(s.bytes)),
        None => format_bytes(s.bytes),
    };
    let values: Vec<String> = if samples.len() <= SAMPLES_SHOWN {
        samples.iter().map(one).collect()
    } else {
        let (head, rest) = samples.split_at(SAMPLES_AT_ENDS);
        let (middle, tail) = rest.split_at(rest.len() - SAMPLES_AT_ENDS);
        let low = middle.iter().map(|s| s.bytes).min().unwrap_or(0);
        let high = middle.iter().map(|s| s.bytes).max().unwrap_or(0);
        let gap = format!("… {} more ({} to {}) …", middle.len(), format_bytes(low), format_bytes(high));
        head.iter().map(one).chain([gap]).chain(tail.iter().map(one)).collect()
    };
    out.push_str(&format!("{label}: {}\n", values.join(" → ")));
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUNDLE: &str = "$ kubectl top pod -n shop --containers  # at 2026-11-24T10:00:00Z
POD   NAME     CPU(cores)   MEMORY(bytes)
w-1   worker   1m           300Mi
$ kubectl top pod -n shop --containers  # at 2026-11-24T10:30:00Z
POD   NAME     CPU(cores)   MEMORY(bytes)
w-1   worker   1m           330Mi
$ kubectl top pod -n shop --containers  # at 2026-11-24T11:00:00Z
POD   NAME     CPU(cores)   MEMORY(bytes)
w-1   worker   1m           360Mi
$ kubectl top pod -n shop --containers  # at 2026-11-24T11:30:00Z
POD   NAME     CPU(cores)   MEMORY(bytes)
w-1   worker   1m           390Mi
$ kubectl top pod -n shop --containers  # at 2026-11-24T12:00:00Z
POD   NAME     CPU(cores)   MEMORY(bytes)
w-1   worker   1m           420Mi
";

    #[test]
    fn bundle_text_cannot_drive_the_terminal() {
        // A pod name with a bidi override, a backspace and an ESC sequence (the analysis
        // drops ANSI sequences from lines; the rest is written out here).
        let bundle = BUNDLE.replace("w-1 ", "w\u{202E}\x08\x1b]0;owned\x07\x1b[2J1 ");
        let a = kubeleak_analysis::analyze_text("bundle.txt", &bundle);
        for colour in [false, true] {
            let text = render_with(&a, colour);
            assert!(text.contains("pod shop/w\\u{202e}\\u{8}1\n"), "{text}");
            assert!(!text.contains('\u{202E}') && !text.contains('\x08'));
            assert!(!text.contains("\x1b]") && !text.contains("\x1b[2J") && !text.contains('\x07'), "{text}");
        }
    }

    #[test]
    fn findings_with_evidence_lines_plain() {
        let a = kubeleak_analysis::analyze_text("bundle.txt", BUNDLE);
        let text = render_with(&a, false);
        assert!(text.contains("WARNING  memory-growth  shop/w-1/worker\n"), "{text}");
        assert!(text.contains("  worker grew 60 MiB/h over 2h00m\n"), "{text}");
        assert!(text.contains("    bundle.txt:3: w-1   worker   1m           300Mi\n"), "{text}");
        assert!(text.contains("  advice: see diagnosis 1\n"), "{text}");
        // The diagnoses come first.
        assert!(text.starts_with("1 diagnosis(es)\n\n1. WARNING  memory-growth\n   worker grew 60 MiB/h"), "{text}");
        assert_eq!(text.matches("To confirm inside the pod").count(), 1, "{text}");
        assert!(!text.contains('\x1b'));
        let coloured = render_with(&a, true);
        assert!(coloured.contains("\x1b[1;33mWARNING \x1b[0m"), "{coloured}");
    }

    #[test]
    fn a_long_series_shows_its_ends_and_its_range() {
        let sample = |i: u64| report::Sample { at: Some(format!("t{i}")), bytes: (100 + i % 400) << 20 };
        let mut out = String::new();
        push_samples(&mut out, "memory", &(0..5760).map(sample).collect::<Vec<_>>());
        assert_eq!(
            out,
            "memory: 100Mi @ t0 → 101Mi @ t1 → 102Mi @ t2 → … 5754 more (100Mi to 499Mi) … → 257Mi @ t5757 → 258Mi @ t5758 → 259Mi @ t5759\n"
        );
        // Up to 12: every one.
        let mut out = String::new();
        push_samples(&mut out, "memory", &(0..12).map(sample).collect::<Vec<_>>());
        assert_eq!(out.matches(" → ").count(), 11, "{out}");
    }

    #[test]
    fn replicas_are_grouped_by_workload() {
        // Three replicas of `api`, one growing: the workload first, growing replica first.
        let mut bundle = String::new();
        for (i, t) in ["10:00", "10:10", "10:20", "10:30", "10:40"].iter().enumerate() {
            bundle.push_str(&format!(
                "$ kubectl top pod -n shop  # at 2026-11-24T{t}:00Z\nNAME   CPU(cores)   MEMORY(bytes)\n"
            ));
            bundle.push_str(&format!("api-7d9f8b6c5d-bbbbb   1m   {}Mi\n", 300 + i * 20));
            bundle.push_str("api-7d9f8b6c5d-ccccc   1m   300Mi\napi-7d9f8b6c5d-ddddd   1m   301Mi\n");
        }
        let text = render_with(&kubeleak_analysis::analyze_text("b", &bundle), false);
        let w = text.find("1 workload(s)\n\nworkload shop/api  Deployment  3 pods\n").expect(&text);
        assert!(text[w..].contains("  1 of 3 replicas of api grow 120 MiB/h (2 flat)"), "{text}");
        assert!(text[w..].contains("  ▲ api-7d9f8b6c5d-bbbbb    +120 MiB/h  last   380Mi"), "{text}");
        assert!(w < text.find("3 pod(s)").unwrap());
    }

    #[test]
    fn wrap_keeps_indent() {
        assert_eq!(wrap("a bb ccc dddd", "  ", 9), "  a bb\n  ccc\n  dddd\n");
    }
}
