//! Chart data and SVG charts (plotters' SVG backend, so the same chart renders natively
//! and in the browser).
//!
//! [`memory_series`] turns the model's samples into one series per pod (pod-level `top`)
//! and per container (`top --containers`); [`memory_svg`] draws them over clock time
//! when every sample has a time, else over the sample number. Example: the two-sample
//! paste of the README gives two series of two points each.

use plotters::prelude::*;

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
    let axis = if all().next().is_some() && all().all(|s| s.at.is_some()) {
        XAxis::Time
    } else {
        XAxis::Sample
    };
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
    let markers = |c: &crate::model::Container| -> Vec<Marker> {
        if axis != XAxis::Time {
            return Vec::new();
        }
        c.last_termination
            .iter()
            .chain(c.state.iter().filter(|s| s.state == "terminated"))
            .filter_map(|t| {
                let reason = t.reason.clone().unwrap_or_else(|| "terminated".into());
                let oom = reason == "OOMKilled" || t.exit_code == Some(137);
                Some(Marker { x: t.finished?.as_millisecond() as f64 / 1000.0, label: reason, oom })
            })
            .collect()
    };
    let value = |f: &Option<crate::model::Fact<u64>>| f.as_ref().map(|f| f.value);
    let mut series = Vec::new();
    for p in &model.pods {
        let app: Vec<_> = p.containers.iter().filter(|c| !c.init).collect();
        if !p.memory_samples.is_empty() {
            // The pod's limit is the sum of its containers' limits, when all have one.
            let limit = if app.is_empty() { None } else { app.iter().map(|c| value(&c.memory_limit)).sum() };
            series.push(Series {
                label: p.name.clone(),
                points: points(&p.memory_samples),
                limit,
                request: None,
                markers: app.iter().flat_map(|c| markers(c)).collect(),
            });
        }
        for c in &app {
            if !c.memory_samples.is_empty() {
                series.push(Series {
                    label: format!("{}/{}", p.name, c.name),
                    points: points(&c.memory_samples),
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

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn clock_label(x: f64) -> String {
    jiff::Timestamp::from_second(x as i64)
        .map(|t| t.strftime("%H:%M").to_string())
        .unwrap_or_default()
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
    let xs = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.x).chain(s.markers.iter().map(|m| m.x)));
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
        .flat_map(|s| s.points.iter().map(|p| p.bytes).chain(s.limit).chain(s.request))
        .map(|b| b as f64 / MIB)
        .fold(0.0f64, f64::max)
        .max(1.0)
        * 1.15;
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .caption("Memory (working set)", ("sans-serif", 18))
        .x_label_area_size(32)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, 0.0..ymax)?;
    let x_fmt = |x: &f64| match axis {
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
        chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
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
