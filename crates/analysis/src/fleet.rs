//! The fleet view of a workload (issue 23): every replica's memory at once, for the page
//! and the HTML report.
//!
//! [`fleets`] gives one [`Fleet`] per workload of two or more replicas: its verdict and
//! its replicas, fastest-growing first (growing replicas before flat ones, then by
//! slope). Up to [`CHART_MAX`] replicas, [`fleet_svg`] draws them in one chart: flat
//! replicas thin and grey, growing ones thick and red, the memory limit dashed, OOM kills
//! as red crosses on the limit. Above that, the view is a table, one row per replica with
//! a [`sparkline_svg`] on the workload's common scale (so a row near its limit looks
//! near it), the slope, the last value and the limit.
//!
//! The SVG is written by hand (paths, one `<title>` and text labels through
//! [`escape`](crate::display::escape)), not with plotters: it needs no text measuring, so
//! the page's worker can make it, and 500 sparklines cost a few milliseconds. Example:
//! a workload `api` of 40 replicas, 6 growing, gives a fleet whose first 6 replicas are
//! the growing ones and whose title is "api: 6 of 40 replicas grow".

use crate::chart::{Point, XAxis};
use crate::display::{escape, visible};
use crate::finding::Analysis;
use crate::quantity::format_bytes;

/// Up to this many replicas a workload is one chart; above, a table of sparklines.
pub const CHART_MAX: usize = 12;

/// One workload's replicas, ready to draw.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fleet {
    /// `namespace/name` as shown (control characters written out).
    pub name: String,
    /// `Deployment`, … or empty when unknown.
    pub kind: String,
    /// The workload's verdict.
    pub headline: String,
    /// "api: 6 of 40 replicas grow".
    pub title: String,
    pub axis: XAxis,
    /// Growing first, then by slope, fastest first.
    pub replicas: Vec<FleetReplica>,
    /// The scale its replicas share: x from, x to, bytes from, bytes to (computed once:
    /// every sparkline uses it).
    pub scale: [f64; 4],
}

/// One replica's line.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FleetReplica {
    /// The pod's name as shown.
    pub pod: String,
    /// `namespace/pod` (or `pod`) as the bundle names it, to find the pod again.
    pub key: String,
    pub growing: bool,
    pub oom_killed: bool,
    pub restarts: u32,
    /// Bytes per hour.
    pub slope: Option<f64>,
    pub last: Option<u64>,
    pub limit: Option<u64>,
    pub points: Vec<Point>,
    /// When its containers were OOM-killed (x values, time axis only).
    pub kills: Vec<f64>,
}

impl Fleet {
    /// Whether it is shown as a table of sparklines rather than one chart.
    pub fn is_table(&self) -> bool {
        self.replicas.len() > CHART_MAX
    }

    /// The x range and the y range shared by its replicas: from a little under the lowest
    /// sample (so growth shows) to the highest sample or limit.
    fn scale(&self) -> (f64, f64, f64, f64) {
        let [a, b, c, d] = self.scale;
        (a, b, c, d)
    }

    fn compute_scale(&self) -> [f64; 4] {
        let xs = self.replicas.iter().flat_map(|r| r.points.iter().map(|p| p.x).chain(r.kills.iter().copied()));
        let (mut x0, mut x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
        if !x0.is_finite() {
            (x0, x1) = (0.0, 1.0);
        }
        if x1 - x0 < 1e-9 {
            x0 -= 1.0;
            x1 += 1.0;
        }
        let ymax = self
            .replicas
            .iter()
            .flat_map(|r| r.points.iter().map(|p| p.bytes).chain(r.limit))
            .max()
            .unwrap_or(1)
            .max(1) as f64
            * 1.05;
        let ymin = self.replicas.iter().flat_map(|r| r.points.iter().map(|p| p.bytes)).min().unwrap_or(0) as f64 * 0.9;
        [x0, x1, ymin.min(ymax * 0.9), ymax]
    }
}

/// The fleets of an analysis: workloads of two or more replicas, in the workloads' order.
pub fn fleets(analysis: &Analysis) -> Vec<Fleet> {
    let model = &analysis.model;
    let timed = model
        .pods
        .iter()
        .flat_map(|p| p.memory_samples.iter().chain(p.containers.iter().flat_map(|c| c.memory_samples.iter())))
        .all(|s| s.at.is_some());
    let axis = if timed { XAxis::Time } else { XAxis::Sample };
    let mut out = Vec::new();
    for w in analysis.workloads.iter().filter(|w| w.replicas.len() >= 2) {
        let mut replicas: Vec<FleetReplica> = w
            .replicas
            .iter()
            .filter_map(|r| {
                let pod = model.pods.get(r.pod)?;
                let series = crate::workload::series(pod);
                let points = series
                    .iter()
                    .enumerate()
                    .map(|(i, &(at, bytes))| Point {
                        x: match (axis, at) {
                            (XAxis::Time, Some(t)) => t.as_millisecond() as f64 / 1000.0,
                            _ => i as f64,
                        },
                        bytes,
                    })
                    .collect();
                let kills = if axis == XAxis::Time {
                    crate::detect::app_containers(pod)
                        .flat_map(|c| c.last_termination.iter().chain(c.state.iter()))
                        .filter(|t| t.reason.as_deref() == Some("OOMKilled") || t.exit_code == Some(137))
                        .filter_map(|t| t.finished)
                        .map(|t| t.as_millisecond() as f64 / 1000.0)
                        .collect()
                } else {
                    Vec::new()
                };
                Some(FleetReplica {
                    pod: visible(&pod.name).into_owned(),
                    key: match &pod.namespace {
                        Some(ns) => format!("{ns}/{}", pod.name),
                        None => pod.name.clone(),
                    },
                    growing: r.growing,
                    oom_killed: r.oom_killed,
                    restarts: r.restarts,
                    slope: r.slope,
                    last: r.last,
                    limit: r.limit,
                    points,
                    kills,
                })
            })
            .collect();
        replicas.sort_by(|a, b| {
            b.growing
                .cmp(&a.growing)
                .then(b.slope.unwrap_or(f64::NEG_INFINITY).total_cmp(&a.slope.unwrap_or(f64::NEG_INFINITY)))
                .then(a.pod.cmp(&b.pod))
        });
        let g = replicas.iter().filter(|r| r.growing).count();
        let name = match &w.namespace {
            Some(ns) => format!("{}/{}", visible(ns), visible(&w.name)),
            None => visible(&w.name).into_owned(),
        };
        let grow = match g {
            0 => "none grows".to_string(),
            _ if g == replicas.len() => "all grow".to_string(),
            1 => "1 grows".to_string(),
            _ => format!("{g} grow"),
        };
        let mut f = Fleet {
            title: format!("{}: {} replicas, {grow}", visible(&w.name), replicas.len()),
            name,
            kind: w.kind.unwrap_or_default().to_string(),
            headline: visible(&w.headline).into_owned(),
            axis,
            replicas,
            scale: [0.0; 4],
        };
        f.scale = f.compute_scale();
        out.push(f);
    }
    out
}

/// A replica's growth for a table cell: `+144 MiB/h`, `-2.0 MiB/h`, `0` (under 1 KiB/h), `—`.
pub fn slope_text(slope: Option<f64>) -> String {
    match slope {
        Some(s) if s.abs() < 1024.0 => "0".into(),
        Some(s) => format!("{}{}", if s < 0.0 { "-" } else { "+" }, crate::detect::rate_per_hour(s)),
        None => "—".into(),
    }
}

fn path(points: &[Point], sx: &dyn Fn(f64) -> f64, sy: &dyn Fn(f64) -> f64) -> String {
    let mut d = String::new();
    for (i, p) in points.iter().enumerate() {
        d.push_str(&format!("{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, sx(p.x), sy(p.bytes as f64)));
    }
    d
}

/// One chart of every replica: flat ones grey, growing ones red, limits dashed, OOM kills
/// as crosses on the limit; titled with the workload.
pub fn fleet_svg(f: &Fleet, width: u32, height: u32) -> String {
    let (w, h) = (f64::from(width), f64::from(height));
    let (left, right, top, bottom) = (56.0, 12.0, 30.0, 28.0);
    let (x0, x1, y0, ymax) = f.scale();
    let sx = |x: f64| left + (x - x0) / (x1 - x0) * (w - left - right);
    let sy = |y: f64| top + (1.0 - (y - y0) / (ymax - y0)) * (h - top - bottom);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"fleet-chart\" width=\"{width}\" height=\"{height}\" \
viewBox=\"0 0 {width} {height}\" role=\"img\"><title>{}</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>",
        escape(&f.title)
    );
    s.push_str(&format!(
        "<text x=\"{left}\" y=\"18\" font-family=\"sans-serif\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        escape(&f.title)
    ));
    // Axes: MiB on the left (bottom, middle, top), the time or sample range below.
    for frac in [0.0, 0.5, 1.0] {
        let value = y0 + (ymax - y0) * frac;
        let y = sy(value);
        s.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#eee\"/><text x=\"{:.1}\" y=\"{:.1}\" \
font-family=\"sans-serif\" font-size=\"11\" text-anchor=\"end\">{:.0} MiB</text>",
            w - right,
            left - 4.0,
            y + 4.0,
            value / 1_048_576.0
        ));
    }
    let xlabel = |x: f64| match f.axis {
        XAxis::Time => {
            jiff::Timestamp::from_second(x as i64).map(|t| t.strftime("%H:%M").to_string()).unwrap_or_default()
        }
        XAxis::Sample => format!("#{}", x as i64 + 1),
    };
    for (x, anchor) in [(x0, "start"), (x1, "end")] {
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-family=\"sans-serif\" font-size=\"11\" text-anchor=\"{anchor}\">{}</text>",
            sx(x),
            h - 8.0,
            escape(&xlabel(x))
        ));
    }
    // Limits, each distinct one once.
    let mut limits: Vec<u64> = f.replicas.iter().filter_map(|r| r.limit).collect();
    limits.sort_unstable();
    limits.dedup();
    for l in &limits {
        let y = sy(*l as f64);
        s.push_str(&format!(
            "<line class=\"limit\" x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#b3261e\" \
stroke-dasharray=\"8 5\"/><text x=\"{:.1}\" y=\"{:.1}\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#b3261e\">limit {}</text>",
            w - right,
            left + 4.0,
            y - 3.0,
            format_bytes(*l)
        ));
    }
    // Flat replicas first (under), growing ones on top.
    for r in f.replicas.iter().rev() {
        let (stroke, width, class) =
            if r.growing { ("#d1242f", 2.5, "replica growing") } else { ("#8c959f", 1.0, "replica") };
        s.push_str(&format!(
            "<path class=\"{class}\" d=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\"><title>{}</title></path>",
            path(&r.points, &sx, &sy),
            escape(&format!("{} {}", r.pod, slope_text(r.slope)))
        ));
        let at = sy(r.limit.map(|l| l as f64).unwrap_or(ymax / 1.05));
        for &k in &r.kills {
            let x = sx(k);
            s.push_str(&format!(
                "<path class=\"oom\" d=\"M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}\" stroke=\"#b3261e\" stroke-width=\"2\"><title>{} OOMKilled</title></path>",
                x - 5.0,
                at - 5.0,
                x + 5.0,
                at + 5.0,
                x - 5.0,
                at + 5.0,
                x + 5.0,
                at - 5.0,
                escape(&r.pod)
            ));
        }
    }
    s.push_str("</svg>");
    s
}

/// A replica's memory as a small line on the fleet's shared scale, with its limit.
pub fn sparkline_svg(f: &Fleet, r: &FleetReplica, width: u32, height: u32) -> String {
    let (w, h) = (f64::from(width), f64::from(height));
    let (x0, x1, y0, ymax) = f.scale();
    let sx = |x: f64| 1.0 + (x - x0) / (x1 - x0) * (w - 2.0);
    let sy = |y: f64| 1.0 + (1.0 - (y - y0) / (ymax - y0)) * (h - 2.0);
    let stroke = if r.growing { "#d1242f" } else { "#57606a" };
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sparkline\" width=\"{width}\" height=\"{height}\" \
viewBox=\"0 0 {width} {height}\" aria-hidden=\"true\">"
    );
    if let Some(l) = r.limit {
        let y = sy(l as f64);
        s.push_str(&format!(
            "<line x1=\"0\" x2=\"{w}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#b3261e\" stroke-dasharray=\"3 2\" stroke-width=\"1\"/>"
        ));
    }
    s.push_str(&format!(
        "<path d=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>",
        path(&r.points, &sx, &sy)
    ));
    for &k in &r.kills {
        s.push_str(&format!("<circle cx=\"{:.1}\" cy=\"2\" r=\"2\" fill=\"#b3261e\"/>", sx(k)));
    }
    s.push_str("</svg>");
    s
}

/// The fleet section of the HTML report: per workload its verdict and its chart or table.
pub fn html_section(analysis: &Analysis) -> String {
    let fleets = fleets(analysis);
    if fleets.is_empty() {
        return String::new();
    }
    let mut h = format!("<h2>Workloads ({})</h2>\n", fleets.len());
    for f in &fleets {
        h.push_str(&format!(
            "<section class=\"fleet\"><h3>{} <span class=\"kind\">{}</span></h3><p>{}</p>",
            escape(&f.name),
            if f.kind.is_empty() { String::new() } else { format!("({})", escape(&f.kind)) },
            escape(&f.headline)
        ));
        if f.is_table() {
            h.push_str(
                "<table class=\"fleet-table\"><thead><tr><th>Pod</th><th>Memory</th><th>Growth</th><th>Last</th>\
<th>Limit</th><th>OOM</th></tr></thead><tbody>",
            );
            for r in &f.replicas {
                h.push_str(&format!(
                    "<tr class=\"{}\"><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    if r.growing { "growing" } else { "flat" },
                    escape(&r.pod),
                    sparkline_svg(f, r, 160, 28),
                    escape(&slope_text(r.slope)),
                    r.last.map(format_bytes).unwrap_or_default(),
                    r.limit.map(format_bytes).unwrap_or_default(),
                    if r.oom_killed { "OOM-killed" } else { "" }
                ));
            }
            h.push_str("</tbody></table>");
        } else {
            h.push_str(&fleet_svg(f, 1000, 360));
        }
        h.push_str("</section>\n");
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(pods: &[(&str, &[u64])]) -> String {
        let mut t = String::new();
        for i in 0..pods[0].1.len() {
            t.push_str(&format!("$ kubectl top pod -n shop  # at 2026-11-24T10:{:02}:00Z\n", i * 5));
            t.push_str("NAME   CPU(cores)   MEMORY(bytes)\n");
            for (name, mib) in pods {
                t.push_str(&format!("{name}   5m   {}Mi\n", mib[i]));
            }
        }
        t
    }

    #[test]
    fn growing_replicas_first_and_highlighted() {
        let up: &[u64] = &[300, 312, 324, 336, 348, 360, 372, 384];
        let flat: &[u64] = &[300, 301, 300, 300, 301, 300, 301, 300];
        let a = crate::analyze_text(
            "b",
            &bundle(&[("api-7d9f8b6c5d-bbbbb", flat), ("api-7d9f8b6c5d-ccccc", up), ("api-7d9f8b6c5d-ddddd", flat)]),
        );
        let fs = fleets(&a);
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].title, "api: 3 replicas, 1 grows");
        assert_eq!(fs[0].replicas[0].pod, "api-7d9f8b6c5d-ccccc");
        assert!(fs[0].replicas[0].growing && !fs[0].replicas[1].growing);
        assert!(!fs[0].is_table());
        let svg = fleet_svg(&fs[0], 800, 300);
        assert_eq!(svg.matches("class=\"replica growing\"").count(), 1);
        assert_eq!(svg.matches("class=\"replica\"").count(), 2);
        assert!(svg.contains("<title>api: 3 replicas, 1 grows</title>"));
        let html = html_section(&a);
        assert!(html.contains("<h2>Workloads (1)</h2>") && html.contains("1 of 3 replicas of api grow"), "{html}");
    }

    #[test]
    fn names_are_escaped() {
        let a = crate::analyze_text(
            "b",
            &bundle(&[("<b>x-7d9f8b6c5d-bbbbb", &[1, 2, 3, 4]), ("<b>x-7d9f8b6c5d-ccccc", &[1, 2, 3, 4])]),
        );
        let html = html_section(&a);
        assert!(!html.contains("<b>x") && html.contains("&lt;b&gt;x"), "{html}");
    }
}
