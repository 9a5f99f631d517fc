//! A self-contained HTML report: one file with inline CSS and SVG charts, the diagnoses
//! first (headline, kinds, advice once), the findings with their evidence lines, the pods, and what was analyzed. No scripts, no external
//! references, so it can be mailed to someone without cluster access and opened offline.
//!
//! Every string from the bundle is escaped ([`escape`]); charts come from plotters' SVG
//! backend, which escapes its labels. Example: `html::report(&analysis, "0.1.0")` starts
//! with `<!doctype html>` and contains one `<section class="finding">` per finding.

use crate::chart;
use crate::display::escape;
use crate::finding::{Analysis, Severity};
use crate::model::Model;
use crate::quantity::format_bytes;

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;color:#1b1f24;max-width:1100px;margin:0 auto;padding:16px}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:24px 0 8px}.muted{color:#57606a}\
.finding{border:1px solid #d0d7de;border-left:6px solid #8c959f;border-radius:6px;padding:8px 12px;margin:8px 0}\
.finding.critical{border-left-color:#b3261e}.finding.warning{border-left-color:#bf8700}.finding.info{border-left-color:#0b5cad}\
.sev{font-weight:700;text-transform:uppercase;font-size:12px}.kind{font-family:monospace;font-size:12px;color:#57606a}\
pre,code,td.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}\
pre{background:#f6f8fa;padding:6px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #d0d7de}\
th{background:#f6f8fa}svg{max-width:100%;height:auto}tr.growing td:first-child{color:#d1242f;font-weight:700}";

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn evidence_lines(model: &Model, evidence: &[crate::model::Origin]) -> String {
    let mut out = String::new();
    for o in evidence {
        out.push_str(&format!("{}:{}: {}\n", escape(model.source_name(*o)), o.line, escape(model.line_text(*o))));
    }
    out
}

/// Renders the whole report. `version` is the kubeleak version shown in the footer.
pub fn report(analysis: &Analysis, version: &str) -> String {
    report_with_chart(analysis, version, &|axis, series| chart::memory_svg(axis, series, 1000, 420), &|_, c| {
        chart::finding_svg(c, 900, 300)
    })
}

/// [`report`] with the memory chart drawn by `draw` (the page's Web Worker has no DOM for
/// plotters to measure text with: it leaves a marker that the page replaces).
/// `draw_finding` gets the finding's index and its chart (a leak-pattern finding's
/// log-mined numbers beside memory).
pub fn report_with_chart(
    analysis: &Analysis,
    version: &str,
    draw: &dyn Fn(chart::XAxis, &[chart::Series]) -> String,
    draw_finding: &dyn Fn(usize, &chart::FindingChart) -> String,
) -> String {
    let model = &analysis.model;
    let mut h = String::new();
    h.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
    h.push_str("<title>kubeleak report</title><style>");
    h.push_str(CSS);
    h.push_str("</style></head><body>\n<h1>kubeleak report</h1>\n");

    // What was analyzed.
    h.push_str("<p class=\"muted\">");
    let c = &model.capture;
    if let Some(t) = c.captured_at {
        h.push_str(&format!("Captured {} · ", escape(&t.to_string())));
    }
    if let Some(ctx) = &c.context {
        h.push_str(&format!("context {} · ", escape(ctx)));
    }
    if let Some(ns) = &c.namespace {
        h.push_str(&format!("namespace {} · ", escape(ns)));
    }
    if let Some(sel) = &c.selector {
        h.push_str(&format!("selector {} · ", escape(sel)));
    }
    let sources: Vec<String> =
        model.sources.iter().map(|s| format!("{} ({} bytes, {} lines)", escape(&s.name), s.bytes, s.lines)).collect();
    h.push_str(&format!("Sources: {}</p>\n", sources.join(", ")));
    if let Some(r) = crate::redaction::summary(analysis) {
        h.push_str(&format!("<p class=\"muted\" id=\"redactions\">{}</p>\n", escape(&r)));
    }

    // Diagnoses first: one verdict per container, its advice once.
    let mut diagnosis_of = vec![None; analysis.findings.len()];
    if !analysis.diagnoses.is_empty() {
        h.push_str(&format!("<h2>Diagnoses ({})</h2>\n", analysis.diagnoses.len()));
        for (n, d) in analysis.diagnoses.iter().enumerate() {
            let sev = severity_word(d.severity);
            let kinds: Vec<&str> = d.kinds.iter().map(|k| k.as_str()).collect();
            let links: Vec<String> =
                d.findings.iter().map(|&i| format!("<a href=\"#finding-{}\">{}</a>", i + 1, i + 1)).collect();
            let advice: String = d.advice.iter().map(|a| format!("<li>{}</li>", escape(a))).collect();
            h.push_str(&format!(
                "<section class=\"finding diagnosis {sev}\" id=\"diagnosis-{}\"><div><span class=\"sev\">{sev}</span> \
                 <span class=\"kind\">{}</span></div><h3>{}</h3><p class=\"muted\">Findings {}</p>\
                 <p><b>What to do:</b></p><ol>{advice}</ol></section>\n",
                n + 1,
                escape(&kinds.join(", ")),
                escape(&d.headline),
                links.join(", ")
            ));
            for &i in &d.findings {
                if let Some(slot) = diagnosis_of.get_mut(i) {
                    *slot = Some(n + 1);
                }
            }
        }
    }

    // Findings.
    h.push_str(&format!("<h2>Findings ({})</h2>\n", analysis.findings.len()));
    if analysis.findings.is_empty() {
        h.push_str("<p class=\"muted\">No findings.</p>\n");
    }
    let memory = chart::memory_series(model);
    for (i, f) in analysis.findings.iter().enumerate() {
        let sev = severity_word(f.severity);
        let target = match (&f.pod, &f.container) {
            (Some(p), Some(c)) => format!("{}/{}", escape(p), escape(c)),
            (Some(p), None) => escape(p),
            _ => String::new(),
        };
        // A leak-pattern finding shows the numbers it read from the logs beside memory.
        let mined = chart::finding_chart(&memory, f).map(|c| draw_finding(i, &c)).unwrap_or_default();
        // A finding of a diagnosis links to it instead of repeating the shared advice.
        let todo = match diagnosis_of[i] {
            Some(n) => format!("<p><b>What to do:</b> see <a href=\"#diagnosis-{n}\">diagnosis {n}</a>.</p>"),
            None => format!("<p><b>What to do:</b> {}</p>", escape(&f.advice)),
        };
        h.push_str(&format!(
            "<section class=\"finding {sev}\" id=\"finding-{}\"><div><span class=\"sev\">{sev}</span> <span class=\"kind\">{} {}</span></div>\
             <h3>{}</h3><p>{}</p>{todo}{mined}<pre>{}</pre></section>\n",
            i + 1,
            escape(f.kind.as_str()),
            target,
            escape(&f.title),
            escape(&f.detail),
            evidence_lines(model, &f.evidence)
        ));
    }

    // Workloads: every replica at once (issue 23).
    h.push_str(&crate::fleet::html_section(analysis));

    // Chart.
    let (axis, series) = memory;
    if !series.is_empty() {
        h.push_str("<h2>Memory</h2>\n");
        h.push_str(&draw(axis, &series));
        h.push('\n');
    }

    // Pods.
    h.push_str("<h2>Pods</h2>\n<table><thead><tr><th>Pod</th><th>Container</th><th>Status</th><th>Restarts</th><th>Limit</th><th>Request</th><th>Latest</th></tr></thead><tbody>\n");
    for p in &model.pods {
        let pod_name = match &p.namespace {
            Some(ns) => format!("{}/{}", escape(ns), escape(&p.name)),
            None => escape(&p.name),
        };
        let status = p.status.as_ref().map(|s| escape(&s.value)).unwrap_or_default();
        let restarts = p.restarts.as_ref().map(|r| r.value.to_string()).unwrap_or_default();
        let latest = |s: &[crate::model::Sample]| {
            s.iter().max_by_key(|s| (s.at, s.seq)).map(|s| format_bytes(s.bytes)).unwrap_or_default()
        };
        if p.containers.is_empty() || !p.memory_samples.is_empty() {
            h.push_str(&format!(
                "<tr><td class=\"mono\">{pod_name}</td><td>(pod)</td><td>{status}</td><td>{restarts}</td><td></td><td></td><td>{}</td></tr>\n",
                latest(&p.memory_samples)
            ));
        }
        for c in &p.containers {
            let q = |f: &Option<crate::model::Fact<u64>>| {
                f.as_ref().map(|f| format_bytes(f.value)).unwrap_or_else(|| "none".into())
            };
            h.push_str(&format!(
                "<tr><td class=\"mono\">{pod_name}</td><td>{}{}</td><td>{status}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&c.name),
                if c.init { " (init)" } else { "" },
                c.restarts.as_ref().map(|r| r.value.to_string()).unwrap_or_default(),
                q(&c.memory_limit),
                q(&c.memory_request),
                latest(&c.memory_samples)
            ));
        }
    }
    h.push_str("</tbody></table>\n");

    // Warnings.
    if !model.warnings.is_empty() {
        h.push_str(&format!("<h2>Input problems ({})</h2>\n<pre>", model.warnings.len()));
        for w in &model.warnings {
            h.push_str(&format!("{}:{}: {}\n", escape(model.source_name(w.origin)), w.origin.line, escape(&w.message)));
        }
        h.push_str("</pre>\n");
    }
    h.push_str(&format!(
        "<p class=\"muted\">Made by kubeleak {} — analysis ran offline; this file loads nothing.</p>\n</body></html>\n",
        escape(version)
    ));
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze_text;

    #[test]
    fn report_is_self_contained_and_escaped() {
        let text = "$ kubectl top pod -n shop\nNAME   CPU(cores)   MEMORY(bytes)\n<img/src=x/onerror=alert(1)>   1m   10Mi\nworker-1   1m   301Mi\n";
        let html = report(&analyze_text("paste", text), "0.1.0");
        assert!(html.starts_with("<!doctype html>"));
        assert!(!html.contains("<img"), "bundle text must be escaped");
        assert!(html.contains("&lt;img/src=x/onerror=alert(1)&gt;"));
        assert!(!html.contains("<script"));
        for attr in [" src=", "url(", "@import"] {
            assert!(!html.contains(attr), "no external reference ({attr})");
        }
        // Links only within the page (a finding to its diagnosis).
        assert!(html.match_indices(" href=").all(|(i, _)| html[i..].starts_with(" href=\"#")));
        assert!(html.contains("<svg"));
        assert!(html.contains("shop/worker-1"));
        assert!(html.contains("301Mi"));
        assert!(html.contains("kubeleak 0.1.0"));
        // A bidi override in a name is written out, not applied.
        let spoof =
            report(&analyze_text("p", "NAME   CPU(cores)   MEMORY(bytes)\nworker\u{202E}1-x   1m   10Mi\n"), "0.1.0");
        assert!(!spoof.contains('\u{202E}') && spoof.contains("worker\\u{202e}1-x"));
    }

    #[test]
    fn sample_report_has_trend_and_mined_series_charts() {
        let html = report(&analyze_text("sample", include_str!("../../../web/sample-bundle.txt")), "0.1.0");
        assert!(html.contains("(from the logs)"), "the cache finding's own chart");
        assert!(html.contains("limit ~"), "the growing worker's projection to its limit");
        assert!(!html.contains("<script"));
    }

    #[test]
    fn diagnoses_come_first_with_their_advice_once() {
        let a = analyze_text("sample", include_str!("../../../web/sample-bundle.txt"));
        let html = report(&a, "0.1.0");
        let (d, f) = (html.find("<h2>Diagnoses").unwrap(), html.find("<h2>Findings").unwrap());
        assert!(d < f, "diagnoses before findings");
        assert!(html.contains(&escape(&a.diagnoses[0].headline)));
        let confirm = escape(crate::detect::CONFIRM_IN_POD);
        let in_diagnoses = a.diagnoses.iter().filter(|d| d.advice.iter().any(|x| x == crate::detect::CONFIRM_IN_POD));
        assert_eq!(html.matches(&confirm).count(), in_diagnoses.count(), "the shared advice once per diagnosis");
        assert!(html.contains("see <a href=\"#diagnosis-"));
    }
}
