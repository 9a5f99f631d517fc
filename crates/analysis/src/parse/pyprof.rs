//! Pasted output of Python memory tools (a section of kind
//! [`SectionKind::PyProfile`](crate::model::SectionKind), or a command's output such as
//! `kubectl exec POD -- py-spy dump …`), read by the tool readers of [`crate::pyprof`],
//! and [`join`], which ties what was found to pods once everything is read.
//!
//! A pasted block's profiles go to [`Model::profiles`] until [`join`] ties them to the
//! bundle's only pod. [`join`] also takes the profiles each log stream's digest found, so
//! the logs stay the owner of their lines and the profiles only point at them.

use super::{origin, SectionContext};
use crate::logdigest::Digests;
use crate::model::{Model, Origin, Profiles};
use crate::pyprof::{all_origins, scan, Line};
use crate::sections::Section;

/// A section's output lines, with the section's time.
fn section_lines<'a>(section: &Section<'a>) -> Vec<Line<'a>> {
    section.lines.iter().map(|&(n, text)| Line { at: section.at, origin: origin(section, n), text }).collect()
}

/// Parses a pasted block ([`SectionKind::PyProfile`](crate::model::SectionKind)) into
/// [`Model::profiles`]; [`join`] ties it to a pod later.
pub fn parse(section: &Section<'_>, _ctx: &SectionContext, model: &mut Model) {
    let found = scan(&section_lines(section));
    if found.is_empty() {
        model.warn(
            origin(section, section.first_line),
            format!("no Python memory tool output could be read in lines {}-{}", section.first_line, section.last_line),
        );
    }
    model.profiles.append(found);
}

/// The output of a command the bundle shows with its prompt when it holds a Python
/// memory tool's output: `kubectl exec POD [-c CONTAINER] -- …` ties it to that pod and
/// container; any other command (`$ py-spy dump --pid 1`, `$ memray stats out.bin`) is
/// kept like a pasted block. `false` (nothing taken) when there is no such output.
pub fn parse_command(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) -> bool {
    let found = scan(&section_lines(section));
    if found.is_empty() {
        return false;
    }
    let Some(cmd) = section.command.as_ref() else {
        model.profiles.append(found); // not kubectl: a local command
        return true;
    };
    let target = match cmd.positional.first().map(String::as_str) {
        Some("exec") => cmd.positional.get(1),
        _ => None,
    };
    let pod_name = target.map(|t| t.strip_prefix("pod/").or_else(|| t.strip_prefix("pods/")).unwrap_or(t));
    match pod_name.filter(|p| !p.contains('/')) {
        Some(pod_name) => {
            let ns = ctx.namespace(section).map(str::to_string);
            let pod = model.pod_mut(ns.as_deref(), pod_name, origin(section, section.first_line));
            match cmd.container.as_deref() {
                Some(c) => pod.container_mut(c).profiles.append(found),
                None => pod.profiles.append(found),
            }
        }
        // `kubectl exec deploy/worker`: which pod is not said.
        None => model.profiles.append(found),
    }
    true
}

/// Called once after parsing: reads the profiles in every container's log, and ties
/// pasted blocks to the bundle's only pod (its only container when it has one).
pub fn join(model: &mut Model, digests: &mut Digests) {
    for pod in &mut model.pods {
        for c in &mut pod.containers {
            let mut found = Profiles::default();
            for stream in &mut c.logs {
                found.append(std::mem::take(&mut digests.of_mut(stream).profiles));
            }
            c.profiles.append(found);
        }
    }
    if model.profiles.is_empty() {
        return;
    }
    let first = first_origin(&model.profiles);
    if let [pod] = &mut model.pods[..] {
        let profiles = std::mem::take(&mut model.profiles);
        let apps: Vec<usize> = (0..pod.containers.len()).filter(|&i| !pod.containers[i].init).collect();
        match apps[..] {
            [i] => pod.containers[i].profiles.append(profiles),
            _ => pod.profiles.append(profiles),
        }
    } else {
        let n = model.pods.len();
        model.warn(
            first,
            format!(
                "Python memory tool output not tied to a pod ({n} pods in the bundle): paste it with \
`kubectl logs` of its pod, or with `$ kubectl exec POD -c CONTAINER -- …`, to join it to the findings"
            ),
        );
    }
}

fn first_origin(p: &Profiles) -> Origin {
    all_origins(p).min().unwrap_or_default()
}
