//! One parser per kind of `kubectl` output. Each takes a [`Section`] and writes what it
//! understood into the [`Model`], with the origin of every fact, and reports what it
//! could not read as a warning (never a panic).

use crate::logdigest::Digests;
use crate::model::{Model, Origin, SectionKind};
use crate::sections::Section;

pub mod describe;
pub mod events;
pub mod events_json;
pub mod fragment;
pub mod get_pods;
pub mod grafana;
pub mod logs;
pub mod node_metrics;
pub mod pods_json;
pub mod prometheus;
pub mod pyprof;
pub mod top;
pub mod top_node;
pub(crate) mod tree;

/// What a parser knows beyond its section.
#[derive(Clone, Debug, Default)]
pub struct SectionContext {
    /// Namespace to assume when neither the output nor the command names one (the
    /// collector header's namespace).
    pub default_namespace: Option<String>,
    /// Order of this section among the sections of its kind (0, 1, 2…).
    pub seq: u32,
}

impl SectionContext {
    /// The namespace of a section: `-n` on its command, else the default.
    pub fn namespace<'a>(&'a self, section: &'a Section<'_>) -> Option<&'a str> {
        section.namespace().or(self.default_namespace.as_deref())
    }
}

pub(crate) fn origin(section: &Section<'_>, line: u32) -> Origin {
    Origin { source: section.source, line }
}

/// Hands a section to the parser of its kind.
pub fn parse_section(section: &Section<'_>, ctx: &SectionContext, model: &mut Model, digests: &mut Digests) {
    // `get pods -o yaml | yq '.items[0].status.message'`: the pipe changed the output;
    // read it as text of the pod the command names.
    if matches!(section.kind, SectionKind::GetPodsJson | SectionKind::GetPodsYaml)
        && section.command.as_ref().is_some_and(|c| c.raw.contains('|'))
        && !section.is_blank()
    {
        let pod = section.command.as_ref().and_then(|c| c.pod_name()).map(str::to_string);
        return read_text(section, ctx, model, digests, pod.as_deref());
    }
    match section.kind {
        SectionKind::TopPod => top::parse(section, ctx, model),
        SectionKind::TopNode => top_node::parse(section, ctx, model),
        SectionKind::GetPods => {
            // `get pods | grep Evicted` and `--no-headers` lose the header: rows by shape.
            let headed = section.lines.iter().any(|(_, l)| l.trim_start().starts_with("NAME"));
            let no_headers = section.command.as_ref().is_some_and(|c| c.args.iter().any(|a| a == "--no-headers"));
            if headed || no_headers || !fragment::pod_rows(section, ctx, model) {
                get_pods::parse(section, ctx, model)
            }
        }
        SectionKind::GetPodsJson => pods_json::parse_json(section, ctx, model),
        SectionKind::GetPodsYaml => pods_json::parse_yaml(section, ctx, model),
        SectionKind::DescribePod => describe::parse(section, ctx, model),
        SectionKind::GetEvents if section.command.as_ref().is_some_and(|c| c.output.as_deref() == Some("json")) => {
            events_json::parse(section, ctx, model)
        }
        SectionKind::GetEvents => events::parse(section, ctx, model),
        SectionKind::Logs => logs::parse(section, ctx, model, digests),
        SectionKind::PyProfile => pyprof::parse(section, ctx, model),
        SectionKind::Prometheus => prometheus::parse(section, ctx, model),
        SectionKind::GrafanaCsv => grafana::parse(section, ctx, model),
        SectionKind::Unknown | SectionKind::Text => {
            if !section.is_blank() {
                read_text(section, ctx, model, digests, None);
            }
        }
        SectionKind::Other => {
            // `kubectl version` heads every collector bundle: informational, not skipped data.
            let informational = |c: &crate::sections::Command| {
                matches!(c.positional.first().map(String::as_str), Some("version" | "config" | "cluster-info"))
            };
            if section.command.as_ref().is_some_and(node_metrics::is_summary_command) {
                return node_metrics::parse(section, ctx, model); // `kubectl get --raw …/stats/summary`
            }
            if pyprof::parse_command(section, ctx, model) {
                return; // `kubectl exec POD -- py-spy dump …`: a Python memory tool's output
            }
            if let Some(cmd) = section.command.as_ref().filter(|c| c.positional.first().is_some_and(|w| w == "exec")) {
                let at = origin(section, section.first_line);
                if section.exit_code.is_some_and(|c| c != 0) || !section.stderr.is_empty() {
                    // `kubeleak collect --profile`: the tool is missing, or the hook is not installed.
                    let why =
                        section.stderr.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
                    let code = section.exit_code.map_or(String::new(), |c| format!(" (exit code {c})"));
                    model.warn(at, format!("`{}` failed{code}: {why}", cmd.raw));
                } else {
                    model.warn(
                        at,
                        format!(
                            "no Python memory tool output could be read in the output of `{}` (lines {}-{})",
                            cmd.raw, section.first_line, section.last_line
                        ),
                    );
                }
                return;
            }
            if section.is_blank() {
                return;
            }
            match (&section.command, &section.other_command) {
                // Another kubectl command (`get pod X -o jsonpath=…`, `get deploy`): its
                // output is read as text of the pod it names.
                (Some(cmd), _) if !informational(cmd) => logs::parse_text(section, ctx, model, digests, cmd.pod_name()),
                // A shell command's output (`python app.py`, `dmesg`, `docker logs web`).
                (None, Some(other)) if other.split_whitespace().next() != Some("date") => {
                    logs::parse_text(section, ctx, model, digests, None)
                }
                _ => {}
            }
        }
    }
}

/// Text of no known shape: fragments of kubectl output in it (container blocks, `get
/// pods` rows), then every line as the log of `pod` (or of the unnamed pod).
fn read_text(section: &Section<'_>, ctx: &SectionContext, model: &mut Model, digests: &mut Digests, pod: Option<&str>) {
    fragment::container_blocks(section, ctx, model, pod);
    fragment::pod_rows(section, ctx, model);
    fragment::eviction_messages(section, ctx, model, pod);
    logs::parse_text(section, ctx, model, digests, pod);
}

/// Splits a table row into cells on runs of 2+ spaces or tabs where possible, else on
/// whitespace. kubectl pads columns with at least 3 spaces.
pub fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// Test helper: analyzes every prefix of `text`, every line alone, and every line shifted
/// left by one character; none may panic.
#[cfg(test)]
pub(crate) fn assert_no_panic_on_damage(text: &str) {
    use crate::analyze_text;
    for (i, _) in text.char_indices() {
        let _ = analyze_text("t", &text[..i]);
    }
    let shifted: String = text.lines().map(|l| l.get(1..).unwrap_or("").to_string() + "\n").collect();
    let _ = analyze_text("t", &shifted);
    for line in text.lines() {
        let _ = analyze_text("t", line);
    }
}
