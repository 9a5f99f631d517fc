//! Chart data and SVG charts (plotters' SVG backend, so the same chart renders natively
//! and in the browser).
//!
//! [`memory_series`] turns the model's samples into one series per pod (pod-level `top`)
//! and per container (`top --containers`); [`memory_svg`] draws them over clock time
//! when every sample has a time, else over the sample number. Example: the two-sample
//! paste of the README gives two series of two points each.
//!
//! A series that grows steadily (the growth detector's test: Theil–Sen fit, Mann–Kendall,
//! no plateau) carries its [`Trend`]: the fitted line, projected forward to where it meets
//! the limit, drawn dashed with the time it gets there. [`finding_svg`] draws the numbers
//! a leak-pattern finding mined from the logs on their own (right-hand) axis beside the
//! container's memory.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::model::{Model, Sample};

/// One line of a chart, with the container's memory limit and request when known and
/// markers for OOM kills and restarts.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Series {
    /// `pod` or `pod/container`.
    pub label: String,
    pub points: Vec<Point>,
    /// Memory limit in bytes (a container's, or the sum of a pod's containers' limits).
    pub limit: Option<u64>,
    pub request: Option<u64>,
    /// OOM kills and other terminations, at their time (only on a time axis).
    pub markers: Vec<Marker>,
    /// The growth trend and its projection, when the series grows steadily over time.
    pub trend: Option<Trend>,
}

/// The fitted growth of a series: a line from the first sample's time to the end of the
/// projection: where it meets the limit, or at most twice the capture span (30 min at
/// least) past the last sample, so the samples stay readable.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Trend {
    pub from: Point,
    pub to: Point,
    /// Growth in bytes per hour (the fitted slope).
    pub bytes_per_hour: f64,
    /// When the fitted line meets the limit (unix seconds), within a week of the last
    /// sample; it may lie beyond `to`.
    pub hits_limit: Option<f64>,
}

/// The trend of `points` (unix seconds) when they grow steadily; see [`Trend`].
fn trend(points: &[Point], limit: Option<u64>) -> Option<Trend> {
    const WEEK: f64 = 7.0 * 24.0 * 3600.0;
    let (first, last) = (points.first()?, points.last()?);
    let x: Vec<f64> = points.iter().map(|p| (p.x - first.x) / 3600.0).collect();
    let y: Vec<f64> = points.iter().map(|p| p.bytes as f64).collect();
    let rule = crate::detect::growth::ShapeRule::memory(&crate::detect::Thresholds::default());
    let Some(crate::detect::growth::Shape::Growing { line, .. }) = crate::detect::growth::shape(&x, &y, &rule) else {
        return None;
    };
    let span = last.x - first.x;
    let horizon = last.x + (2.0f64 * span).clamp(1800.0, WEEK);
    let at = |secs: f64| line.at((secs - first.x) / 3600.0).max(0.0);
    let hits = limit.map(|l| l as f64).and_then(|l| {
        let secs = first.x + (l - line.intercept) / line.slope * 3600.0;
        (secs.is_finite() && secs >= first.x && secs <= last.x + WEEK).then_some(secs)
    });
    let end = hits.map_or(horizon, |h| h.clamp(last.x, horizon));
    let point = |secs: f64| Point { x: secs, bytes: at(secs).min(u64::MAX as f64) as u64 };
    Some(Trend { from: point(first.x), to: point(end), bytes_per_hour: line.slope, hits_limit: hits })
}

/// Something that happened to a container at a time: drawn as a mark on the chart.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Marker {
    pub x: f64,
    /// `OOMKilled`, `Error`, … (the termination reason).
    pub label: String,
    pub oom: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    /// Unix seconds when the bundle gives times, else the sample number.
    pub x: f64,
    pub bytes: u64,
}

/// Whether x values are times or sample numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum XAxis {
    Time,
    Sample,
}

/// All memory series of the model, and the x axis they share.
pub fn memory_series(model: &Model) -> (XAxis, Vec<Series>) {
    let all = || {
        model
            .pods
            .iter()
            .flat_map(|p| p.memory_samples.iter().chain(p.containers.iter().flat_map(|c| c.memory_samples.iter())))
    };
    let axis = if all().next().is_some() && all().all(|s| s.at.is_some()) { XAxis::Time } else { XAxis::Sample };
    let points = |samples: &[Sample]| {
        let mut v: Vec<Point> = samples
            .iter()
            .map(|s| Point {
                x: match (axis, s.at) {
                    (XAxis::Time, Some(t)) => t.as_millisecond() as f64 / 1000.0,
                    _ => f64::from(s.seq),
                },
                bytes: s.bytes,
            })
            .collect();
        v.sort_by(|a, b| a.x.total_cmp(&b.x));
        v
    };
    // Long series (hours of Prometheus history) are downsampled for drawing, after the
    // trend was fitted to every point (`drawn`).
    let drawn = |pts: Vec<Point>| -> Vec<Point> {
        if pts.len() <= MAX_DRAWN {
            return pts;
        }
        let x: Vec<f64> = pts.iter().map(|p| p.x).collect();
        let y: Vec<f64> = pts.iter().map(|p| p.bytes as f64).collect();
        crate::downsample::lttb(&x, &y, MAX_DRAWN).into_iter().filter_map(|i| pts.get(i).copied()).collect()
    };
    let markers = |c: &crate::model::Container| -> Vec<Marker> {
        if axis != XAxis::Time {
            return Vec::new();
        }
        let mut v: Vec<Marker> = c
            .last_termination
            .iter()
            .chain(c.state.iter().filter(|s| s.state == "terminated"))
            .filter_map(|t| {
                let reason = t.reason.clone().unwrap_or_else(|| "terminated".into());
                let oom = reason == "OOMKilled" || t.exit_code == Some(137);
                Some(Marker { x: t.finished?.as_millisecond() as f64 / 1000.0, label: reason, oom })
            })
            .collect();
        v.extend(restart_markers(c));
        v
    };
    let value = |f: &Option<crate::model::Fact<u64>>| f.as_ref().map(|f| f.value);
    let mut series = Vec::new();
    for p in &model.pods {
        let app: Vec<_> = p.containers.iter().filter(|c| !c.init).collect();
        if !p.memory_samples.is_empty() {
            // The pod's limit is the sum of its containers' limits, when all have one.
            let limit = if app.is_empty() { None } else { app.iter().map(|c| value(&c.memory_limit)).sum() };
            let pts = points(&p.memory_samples);
            series.push(Series {
                label: crate::display::visible(&p.name).into_owned(),
                trend: if axis == XAxis::Time { trend(&pts, limit) } else { None },
                points: drawn(pts),
                limit,
                request: None,
                markers: app.iter().flat_map(|c| markers(c)).collect(),
            });
        }
        for c in &app {
            if !c.memory_samples.is_empty() {
                let pts = points(&c.memory_samples);
                series.push(Series {
                    label: crate::display::visible(&format!("{}/{}", p.name, c.name)).into_owned(),
                    trend: if axis == XAxis::Time { trend(&pts, value(&c.memory_limit)) } else { None },
                    points: drawn(pts),
                    limit: value(&c.memory_limit),
                    request: value(&c.memory_request),
                    markers: markers(c),
                });
            }
        }
    }
    (axis, series)
}

const MIB: f64 = 1024.0 * 1024.0;

/// Most points of a series drawn; longer series are downsampled (LTTB, peaks before
/// kills kept: [`crate::downsample`]).
pub const MAX_DRAWN: usize = 600;

/// A container's runs between restarts (drops after kills, restarts the counter
/// recorded, gaps), as the `memory-growth` detector cuts them; empty when it did not
/// restart or its falls are a garbage collector's. For the page's pod table.
pub fn runs(c: &crate::model::Container) -> Vec<RunSpan> {
    crate::detect::runs::of_container(c, &crate::detect::Thresholds::default())
}

pub use crate::detect::runs::{End as RunEnd, RunSpan};

/// Restarts a restart counter recorded (Prometheus), as markers: the last one carries
/// the last termination's reason (`OOMKilled`) when it has no time of its own.
fn restart_markers(c: &crate::model::Container) -> Vec<Marker> {
    let last_reason = c.last_termination.as_ref().filter(|t| t.finished.is_none()).and_then(|t| t.reason.clone());
    let n = c.restarted_at.len();
    c.restarted_at
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let label = match (&last_reason, i + 1 == n) {
                (Some(r), true) => r.clone(),
                _ => "restart".to_string(),
            };
            Marker { x: f.value.as_millisecond() as f64 / 1000.0, oom: label == "OOMKilled", label }
        })
        .collect()
}

/// Draws memory series as an SVG document (`width`×`height` pixels). Labels are
/// escaped by plotters' SVG backend; bundle text never becomes markup.
pub fn memory_svg(axis: XAxis, series: &[Series], width: u32, height: u32) -> String {
    let mut svg = String::new();
    if let Err(e) = draw(&mut svg, axis, series, width, height) {
        // Drawing into a String cannot fail for I/O reasons; keep a readable fallback.
        return format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\"><text x=\"10\" y=\"20\">chart error: {}</text></svg>",
            escape(&e.to_string())
        );
    }
    svg
}

/// A memory chart's title names what it shows: `Memory of worker-1/app` for one series,
/// `Memory of pod worker-1` for one pod's containers, else how many pods.
pub fn title(series: &[Series]) -> String {
    let pod = |s: &Series| s.label.split('/').next().unwrap_or("").to_string();
    match series {
        [] => "Memory (working set)".to_string(),
        [one] => format!("Memory of {}", one.label),
        [first, rest @ ..] if rest.iter().all(|s| pod(s) == pod(first)) => format!("Memory of pod {}", pod(first)),
        _ => {
            let mut pods: Vec<String> = series.iter().map(pod).collect();
            pods.dedup();
            format!("Memory of {} pods", pods.len())
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn clock_label(x: f64) -> String {
    jiff::Timestamp::from_second(x as i64).map(|t| t.strftime("%H:%M").to_string()).unwrap_or_default()
}

/// A day and time, for axes longer than a day.
fn day_label(x: f64) -> String {
    jiff::Timestamp::from_second(x as i64).map(|t| t.strftime("%d %H:%M").to_string()).unwrap_or_default()
}

fn draw(
    out: &mut String,
    axis: XAxis,
    series: &[Series],
    width: u32,
    height: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(out, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let xs = series.iter().flat_map(|s| {
        s.points.iter().map(|p| p.x).chain(s.markers.iter().map(|m| m.x)).chain(s.trend.iter().map(|t| t.to.x))
    });
    let (mut x0, mut x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    if !x0.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    if x1 - x0 < 1.0 {
        // One sample (or all at one time): widen so the point sits mid-chart.
        let pad = if axis == XAxis::Time { 60.0 } else { 1.0 };
        x0 -= pad;
        x1 += pad;
    }
    let ymax = series
        .iter()
        .flat_map(|s| {
            s.points.iter().map(|p| p.bytes).chain(s.limit).chain(s.request).chain(s.trend.map(|t| t.to.bytes))
        })
        .map(|b| b as f64 / MIB)
        .fold(0.0f64, f64::max)
        .max(1.0)
        * 1.15;
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .caption(title(series), ("sans-serif", 18))
        .x_label_area_size(32)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, 0.0..ymax)?;
    let long = x1 - x0 > 20.0 * 3600.0;
    let x_fmt = |x: &f64| match axis {
        XAxis::Time if long => day_label(*x),
        XAxis::Time => clock_label(*x),
        XAxis::Sample => format!("#{}", *x as i64 + 1),
    };
    chart
        .configure_mesh()
        .x_desc(if axis == XAxis::Time { "time (UTC)" } else { "sample" })
        .y_desc("MiB")
        .x_labels(if axis == XAxis::Sample { (x1 - x0) as usize + 1 } else { 8 }.min(12))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    for (i, s) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let pts: Vec<(f64, f64)> = s.points.iter().map(|p| (p.x, p.bytes as f64 / MIB)).collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?
            .label(s.label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2)));
        if pts.len() <= 60 {
            chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
        }
        // Limit (dashed) and request (dotted) in the series' colour, across the chart.
        if let Some(limit) = s.limit {
            let y = limit as f64 / MIB;
            chart.draw_series(DashedLineSeries::new(vec![(x0, y), (x1, y)], 8, 5, color.stroke_width(1)))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("limit {}", crate::quantity::format_bytes(limit)),
                (x0, y),
                ("sans-serif", 11).into_font().color(&color),
            )))?;
        }
        if let Some(request) = s.request {
            let y = request as f64 / MIB;
            chart.draw_series(DashedLineSeries::new(vec![(x0, y), (x1, y)], 2, 4, color.mix(0.7).stroke_width(1)))?;
        }
        // The trend, dashed from the first sample to the end of its projection.
        if let Some(t) = s.trend {
            let line = vec![(t.from.x, t.from.bytes as f64 / MIB), (t.to.x, t.to.bytes as f64 / MIB)];
            chart.draw_series(DashedLineSeries::new(line, 4, 4, color.mix(0.8).stroke_width(2)))?;
            if let Some(h) = t.hits_limit {
                let ahead = s.points.last().map(|p| h - p.x).filter(|d| *d > 0.0);
                let when = match ahead {
                    Some(d) => format!(
                        "limit ~{} (+{})",
                        clock_label(h),
                        crate::time::format_duration(jiff::SignedDuration::from_secs(d as i64))
                    ),
                    None => format!("limit ~{}", clock_label(h)),
                };
                let (end, y) = (t.to.x, t.to.bytes as f64 / MIB);
                let reached = h <= end;
                if reached {
                    chart.draw_series(std::iter::once(Circle::new((end, y), 5, RED.stroke_width(2))))?;
                }
                let label = if reached { when } else { format!("→ {when}") };
                let font = ("sans-serif", 11).into_font().color(&RED).pos(Pos::new(HPos::Right, VPos::Bottom));
                chart.draw_series(std::iter::once(Text::new(label, (end, y), font)))?;
            }
        }
        // OOM kills as red crosses at the limit (or the top), other terminations as grey.
        let top = s.limit.map(|l| l as f64 / MIB).unwrap_or(ymax / 1.15);
        for m in &s.markers {
            let mark = if m.oom { RED.to_rgba() } else { BLACK.mix(0.6) };
            chart.draw_series(std::iter::once(Cross::new((m.x, top), 6, mark.stroke_width(2))))?;
            chart.draw_series(std::iter::once(Text::new(
                m.label.clone(),
                (m.x, top),
                ("sans-serif", 11).into_font().color(&mark),
            )))?;
        }
    }
    if !series.is_empty() {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// What a leak-pattern finding's chart shows: the numbers it mined from the logs and,
/// when the container has memory samples on the same clock, its memory.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FindingChart {
    pub title: String,
    pub log: crate::finding::LogSeries,
    /// The container's (or pod's) memory, on the same time axis; `None` when the log lines
    /// have no times or there are no timed memory samples.
    pub memory: Option<Series>,
}

/// The chart data of a finding that carries a log series ([`crate::Finding::series`]).
/// `memory` is [`memory_series`] of the finding's model, computed once for all its
/// findings (it fits a trend to every series: per finding, that was most of the time
/// the page spent building its view of a big bundle).
pub fn finding_chart(memory: &(XAxis, Vec<Series>), f: &crate::finding::Finding) -> Option<FindingChart> {
    let log = f.series.clone()?;
    if log.points.is_empty() {
        return None;
    }
    let timed = log.points.iter().all(|p| p.at.is_some());
    let memory = if timed {
        let (axis, series) = (memory.0, &memory.1);
        let pod = f.pod.as_deref()?;
        let want = f.container.as_ref().map(|c| crate::display::visible(&format!("{pod}/{c}")).into_owned());
        let pod = crate::display::visible(pod);
        (axis == XAxis::Time)
            .then(|| {
                series
                    .iter()
                    .find(|s| Some(&s.label) == want.as_ref())
                    .or_else(|| series.iter().find(|s| s.label == *pod))
                    .cloned()
            })
            .flatten()
    } else {
        None
    };
    let who = match (&f.pod, &f.container) {
        (Some(p), Some(c)) => format!("{p}/{c}"),
        (Some(p), None) => p.clone(),
        _ => String::new(),
    };
    let title = crate::display::visible(&format!("{who}: {} (from the logs)", log.label)).into_owned();
    Some(FindingChart { title, log, memory })
}

/// Draws a [`FindingChart`]: the mined numbers on the right-hand axis, memory (MiB) and
/// its limit on the left; over clock time when the log lines have times, else over the
/// line number.
pub fn finding_svg(c: &FindingChart, width: u32, height: u32) -> String {
    let mut svg = String::new();
    if let Err(e) = draw_finding(&mut svg, c, width, height) {
        return format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\"><text x=\"10\" y=\"20\">chart error: {}</text></svg>",
            escape(&e.to_string())
        );
    }
    svg
}

fn draw_finding(out: &mut String, c: &FindingChart, width: u32, height: u32) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(out, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let timed = c.log.points.iter().all(|p| p.at.is_some());
    let x_of = |p: &crate::finding::LogPoint| if timed { p.at.unwrap_or(0.0) } else { p.index as f64 };
    let log_pts: Vec<(f64, f64)> = c.log.points.iter().map(|p| (x_of(p), p.value)).collect();
    let mem = c.memory.as_ref();
    let xs = log_pts.iter().map(|p| p.0).chain(mem.into_iter().flat_map(|m| m.points.iter().map(|p| p.x)));
    let (mut x0, mut x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    if !x0.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    if x1 - x0 < 1.0 {
        x0 -= 1.0;
        x1 += 1.0;
    }
    let scale = if c.log.bytes { MIB } else { 1.0 };
    let vmax = log_pts.iter().map(|p| p.1 / scale).fold(0.0f64, f64::max).max(1.0) * 1.15;
    let vmin = log_pts.iter().map(|p| p.1 / scale).fold(0.0f64, f64::min);
    let ymax = mem
        .into_iter()
        .flat_map(|m| m.points.iter().map(|p| p.bytes).chain(m.limit))
        .map(|b| b as f64 / MIB)
        .fold(0.0f64, f64::max)
        .max(1.0)
        * 1.15;
    let log_label = crate::display::visible(&c.log.label);
    let log_desc = if c.log.bytes { format!("{log_label} (MiB)") } else { log_label.to_string() };
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .caption(c.title.as_str(), ("sans-serif", 15))
        .x_label_area_size(32)
        .y_label_area_size(if mem.is_some() { 64 } else { 0 })
        .right_y_label_area_size(72)
        .build_cartesian_2d(x0..x1, 0.0..ymax)?
        .set_secondary_coord(x0..x1, vmin..vmax);
    let x_fmt = |x: &f64| if timed { clock_label(*x) } else { format!("line {}", *x as i64 + 1) };
    chart
        .configure_mesh()
        .x_desc(if timed { "time (UTC)" } else { "log line" })
        .y_desc(if mem.is_some() { "memory MiB" } else { "" })
        .x_labels(8)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_desc(log_desc.as_str())
        .y_label_formatter(&|v| if v.abs() >= 10.0 { format!("{v:.0}") } else { format!("{v:.1}") })
        .draw()?;
    let log_color = RGBColor(200, 90, 0);
    chart
        .draw_secondary_series(LineSeries::new(log_pts.iter().map(|p| (p.0, p.1 / scale)), log_color.stroke_width(2)))?
        .label(log_label.as_ref())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], log_color.stroke_width(2)));
    if let Some(m) = mem {
        let blue = RGBColor(30, 90, 180);
        let pts: Vec<(f64, f64)> = m.points.iter().map(|p| (p.x, p.bytes as f64 / MIB)).collect();
        chart
            .draw_series(LineSeries::new(pts, blue.stroke_width(2)))?
            .label(format!("memory of {}", m.label))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], blue.stroke_width(2)));
        if let Some(limit) = m.limit {
            let y = limit as f64 / MIB;
            chart.draw_series(DashedLineSeries::new(vec![(x0, y), (x1, y)], 8, 5, blue.stroke_width(1)))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("limit {}", crate::quantity::format_bytes(limit)),
                (x0, y),
                ("sans-serif", 11).into_font().color(&blue),
            )))?;
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze_text;

    #[test]
    fn one_line_per_pod_with_labels() {
        let text = "$ kubectl top pod -n shop\nNAME   CPU(cores)   MEMORY(bytes)\nworker-a   1m   301Mi\nworker-b   1m   288Mi\n$ kubectl top pod -n shop\nNAME   CPU(cores)   MEMORY(bytes)\nworker-a   1m   344Mi\nworker-b   1m   339Mi\n";
        let model = analyze_text("p", text).model;
        let (axis, series) = memory_series(&model);
        assert_eq!(axis, XAxis::Sample);
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].points.iter().map(|p| p.bytes).collect::<Vec<_>>(), vec![301 << 20, 344 << 20]);
        let svg = memory_svg(axis, &series, 800, 400);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("worker-a") && svg.contains("worker-b"));
        assert!(svg.matches("<polyline").count() >= 2);
    }

    #[test]
    fn untrusted_labels_are_escaped() {
        let text = "NAME   CPU(cores)   MEMORY(bytes)\n<script>alert(1)</script>   1m   1Mi\n";
        let model = analyze_text("p", text).model;
        let (axis, series) = memory_series(&model);
        let svg = memory_svg(axis, &series, 600, 300);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
    }

    #[test]
    fn times_give_a_clock_axis() {
        let text = "$ kubectl top pod  # at 2026-11-24T10:00:00Z\nNAME   CPU(cores)   MEMORY(bytes)\nw   1m   1Mi\n$ kubectl top pod  # at 2026-11-24T10:30:00Z\nNAME   CPU(cores)   MEMORY(bytes)\nw   1m   2Mi\n";
        let model = analyze_text("p", text).model;
        let (axis, series) = memory_series(&model);
        assert_eq!(axis, XAxis::Time);
        assert_eq!(series[0].points[1].x - series[0].points[0].x, 1800.0);
        let svg = memory_svg(axis, &series, 600, 300);
        assert!(svg.lines().any(|l| l.trim().starts_with("10:")) && svg.contains("time (UTC)"), "{svg}");
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;
    use crate::analyze_text;

    #[test]
    fn limits_requests_and_oom_markers() {
        let text = "$ kubectl describe pod -n shop w-1
Name:         w-1
Namespace:    shop
Status:       Running
Containers:
  app:
    State:          Running
      Started:      Tue, 24 Nov 2026 10:01:00 +0000
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
      Started:      Tue, 24 Nov 2026 09:00:00 +0000
      Finished:     Tue, 24 Nov 2026 10:00:30 +0000
    Restart Count:  1
    Limits:
      memory:  512Mi
    Requests:
      memory:  256Mi
$ kubectl top pod -n shop --containers  # at 2026-11-24T10:05:00Z
POD   NAME   CPU(cores)   MEMORY(bytes)
w-1   app    10m          100Mi
$ kubectl top pod -n shop --containers  # at 2026-11-24T10:10:00Z
POD   NAME   CPU(cores)   MEMORY(bytes)
w-1   app    10m          130Mi
";
        let model = analyze_text("p", text).model;
        let (axis, series) = memory_series(&model);
        assert_eq!(axis, XAxis::Time);
        assert_eq!(series.len(), 1);
        assert_eq!(series[0].limit, Some(512 << 20));
        assert_eq!(series[0].request, Some(256 << 20));
        assert_eq!(series[0].markers.len(), 1);
        assert!(series[0].markers[0].oom);
        let svg = memory_svg(axis, &series, 800, 400);
        assert!(svg.contains("limit 512Mi"), "limit line is labelled");
        assert!(svg.contains("OOMKilled"), "OOM kill is marked");
        // The OOM kill (10:00:30) precedes the samples and still gets drawn: the x axis
        // starts at it, so the first clock label is 10:01, not 10:05.
        assert!(series[0].markers[0].x < series[0].points[0].x);
        assert!(svg.lines().any(|l| l.trim() == "10:01"), "{svg}");
    }
}

#[cfg(test)]
mod trend_tests {
    use super::*;
    use crate::analyze_text;

    const SAMPLE: &str = include_str!("../../../web/sample-bundle.txt");

    fn top(at: &str, mib: u32) -> String {
        format!("$ kubectl top pod -n shop --containers  # at {at}\nPOD   NAME   CPU(cores)   MEMORY(bytes)\nw-1   app    10m          {mib}Mi\n")
    }

    fn spec(limit: &str) -> String {
        format!("$ kubectl describe pod -n shop w-1\nName:         w-1\nNamespace:    shop\nStatus:       Running\nContainers:\n  app:\n    State:          Running\n    Restart Count:  0\n    Limits:\n      memory:  {limit}\n")
    }

    #[test]
    fn growing_series_is_projected_to_its_limit() {
        // 100 MiB → 170 MiB in 35 minutes: 120 MiB/h.
        let mut text = spec("512Mi");
        for (i, mib) in [100, 110, 120, 130, 140, 150, 160, 170].iter().enumerate() {
            text.push_str(&top(&format!("2026-11-24T10:{:02}:00Z", i * 5), *mib));
        }
        let model = analyze_text("p", &text).model;
        let (axis, series) = memory_series(&model);
        let t = series[0].trend.unwrap_or_else(|| panic!("a steady rise has a trend: {series:?}"));
        assert!((t.bytes_per_hour / MIB - 120.0).abs() < 0.5, "{}", t.bytes_per_hour / MIB);
        let hit = t.hits_limit.expect("the projection meets the 512Mi limit");
        // From 100 MiB at 10:00 at 120 MiB/h, 512 MiB is 412/120 h = 3h26m later: 13:26.
        let expected = series[0].points[0].x + 412.0 / 120.0 * 3600.0;
        assert!((hit - expected).abs() < 120.0, "hit {hit}, expected {expected}");
        // 35 minutes of samples: the projection is drawn 70 minutes on, to 11:45.
        assert_eq!(t.to.x, series[0].points[7].x + 4200.0);
        assert!(t.to.bytes < 512 << 20);
        let svg = memory_svg(axis, &series, 800, 400);
        assert!(svg.contains("→ limit ~13:26 (+2h51m)"), "the projection is labelled with its time: {svg}");
    }

    #[test]
    fn flat_or_untimed_series_have_no_trend() {
        let mut flat = spec("512Mi");
        for (i, mib) in [300, 301, 300, 299, 301, 300].iter().enumerate() {
            flat.push_str(&top(&format!("2026-11-24T10:{:02}:00Z", i * 5), *mib));
        }
        let (_, series) = memory_series(&analyze_text("p", &flat).model);
        assert_eq!(series[0].trend, None);
        let untimed = "$ kubectl top pod\nNAME CPU(cores) MEMORY(bytes)\nw 1m 100Mi\n$ kubectl top pod\nNAME CPU(cores) MEMORY(bytes)\nw 1m 200Mi\n$ kubectl top pod\nNAME CPU(cores) MEMORY(bytes)\nw 1m 300Mi\n$ kubectl top pod\nNAME CPU(cores) MEMORY(bytes)\nw 1m 400Mi\n";
        let (axis, series) = memory_series(&analyze_text("p", untimed).model);
        assert_eq!((axis, series[0].trend), (XAxis::Sample, None));
    }

    #[test]
    fn a_log_pattern_finding_charts_its_numbers_beside_memory() {
        let a = analyze_text("sample", SAMPLE);
        let f = a
            .findings
            .iter()
            .find(|f| f.series.is_some())
            .expect("the sample's cache finding carries the mined series");
        let memory = memory_series(&a.model);
        let c = finding_chart(&memory, f).expect("a chart");
        assert!(c.log.points.len() >= 4);
        assert!(c.log.points.windows(2).all(|w| w[0].at <= w[1].at));
        let first = c.log.points.first().map(|p| p.value).unwrap_or(0.0);
        let last = c.log.points.last().map(|p| p.value).unwrap_or(0.0);
        assert!(last > first, "the mined value grows: {first} → {last}");
        let mem = c.memory.as_ref().expect("the container's memory is on the same clock");
        assert_eq!(
            Some(mem.label.as_str()),
            f.container.as_ref().map(|cn| format!("{}/{cn}", f.pod.as_deref().unwrap_or(""))).as_deref()
        );
        let svg = finding_svg(&c, 800, 360);
        assert!(svg.starts_with("<svg") && svg.matches("<polyline").count() >= 2, "{svg}");
        assert!(svg.contains("memory of"), "{svg}");
        // Findings without mined numbers have no such chart.
        let oom = a.findings.iter().find(|f| f.kind == "oom-killed").expect("the sample has an OOM kill");
        assert!(finding_chart(&memory, oom).is_none());
    }
}
