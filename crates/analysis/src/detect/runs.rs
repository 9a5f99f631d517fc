//! A long memory series (hours or days from Prometheus or Grafana) cut into the
//! container's runs, for `memory-growth` ([`super::growth`]).
//!
//! Restarts cut a series into runs: a fall of at least
//! [`sawtooth_drop_ratio`](super::Thresholds::sawtooth_drop_ratio) of the range between
//! two samples (the drop after an OOM kill), a restart the counter recorded
//! (`kube_pod_container_status_restarts_total` rose; [`Container::restarted_at`]), or a
//! gap in the samples longer than [`MIN_GAP_HOURS`] and ten times the usual interval.
//! Growth is fitted per run (Theil–Sen, with the Mann–Kendall test), and summarised across
//! runs: the median slope; for the runs that ended in a kill, how long they lasted and the
//! peak before the kill; when the current run will reach the same point.
//!
//! The OOM cycle is cross-checked against the slope: a run that starts at S, grows at
//! the fitted rate r and is killed at peak P should last about (P − S) / r. When the runs
//! last about that long (within a factor of [`CYCLE_AGREEMENT`]), the kills are the leak
//! filling the limit; when they are much shorter, something else (a burst, a spike at
//! a request) kills them before the leak would have.
//!
//! Example: samples rising 20 MiB/h from 400Mi, falling back to 400Mi at 1Gi twice
//! (each run ~31 h) give three runs, a median slope of 20 MiB/h, two kills at ~1 GiB
//! after ~31 h each, and the cycle agrees with the slope.
//!
//! [`Container::restarted_at`]: crate::model::Container::restarted_at

use super::Thresholds;
use crate::stats::{self, Line, MannKendall};

/// Shortest gap that cuts a series (hours): 5 minutes without samples.
pub const MIN_GAP_HOURS: f64 = 5.0 / 60.0;

/// The cycle agrees with the slope when the runs last between 1/1.5 and 1.5 times what
/// the slope predicts.
pub const CYCLE_AGREEMENT: f64 = 1.5;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Memory fell sharply: a kill or a restart.
    Drop,
    /// The restart counter rose.
    Restart,
    /// No samples for a while.
    Gap,
    /// The run is still going at the last sample.
    Open,
}

/// One run: samples `a..b` of the series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Run {
    pub a: usize,
    pub b: usize,
    pub end: End,
}

/// Cuts a series (x in hours, ascending) into runs at drops, restarts (times in the
/// same hours) and gaps.
pub fn cut(x: &[f64], y: &[f64], restarts: &[f64], t: &Thresholds) -> Vec<Run> {
    let n = x.len().min(y.len());
    if n == 0 {
        return Vec::new();
    }
    let (lo, hi) = y[..n].iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let range = hi - lo;
    let mut dx: Vec<f64> = x[..n].windows(2).map(|w| w[1] - w[0]).filter(|d| *d > 0.0).collect();
    dx.sort_by(f64::total_cmp);
    let usual = dx.get(dx.len() / 2).copied().unwrap_or(0.0);
    let gap = (10.0 * usual).max(MIN_GAP_HOURS);
    let mut runs = Vec::new();
    let mut start = 0;
    let mut r = 0;
    let mut sorted_restarts: Vec<f64> = restarts.iter().copied().filter(|v| v.is_finite()).collect();
    sorted_restarts.sort_by(f64::total_cmp);
    for i in 1..n {
        // Restart times at or before this sample, not yet used.
        let mut restarted = false;
        while r < sorted_restarts.len() && sorted_restarts[r] <= x[i] {
            if sorted_restarts[r] > x[i - 1] - gap {
                restarted = true;
            }
            r += 1;
        }
        let end = if range > 0.0 && y[i - 1] - y[i] >= t.sawtooth_drop_ratio * range {
            Some(End::Drop)
        } else if x[i] - x[i - 1] > gap {
            Some(End::Gap)
        } else if restarted && i - start >= 2 {
            Some(End::Restart)
        } else {
            None
        };
        if let Some(end) = end {
            runs.push(Run { a: start, b: i, end });
            start = i;
        }
    }
    runs.push(Run { a: start, b: n, end: End::Open });
    // A restart recorded a little after the drop it caused ends nothing new: merge a
    // tiny run (fewer than 2 samples) into the next.
    let mut merged: Vec<Run> = Vec::with_capacity(runs.len());
    for run in runs {
        match merged.last_mut() {
            Some(prev) if prev.b - prev.a < 2 && prev.end == End::Restart => {
                prev.b = run.b;
                prev.end = run.end;
            }
            _ => merged.push(run),
        }
    }
    merged
}

/// A killed run, summarised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Killed {
    /// Hours from the run's first sample to its last.
    pub hours: f64,
    /// The highest sample of the run (the peak before the kill).
    pub peak: f64,
    /// The run's first sample.
    pub start: f64,
}

/// What the runs say together.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The median slope of the runs (bytes per x unit), with the last fitted run's intercept.
    pub line: Line,
    /// The last fitted run's test.
    pub mk: MannKendall,
    /// Runs fitted (of at least 3 samples).
    pub fitted: usize,
    pub runs: Vec<Run>,
    /// Runs that ended in a drop or a restart, in order.
    pub killed: Vec<Killed>,
}

impl Summary {
    /// The median duration and peak of the killed runs.
    pub fn typical_kill(&self) -> Option<(f64, f64)> {
        let mut h: Vec<f64> = self.killed.iter().map(|k| k.hours).collect();
        let mut p: Vec<f64> = self.killed.iter().map(|k| k.peak).collect();
        if h.is_empty() {
            return None;
        }
        h.sort_by(f64::total_cmp);
        p.sort_by(f64::total_cmp);
        Some((h[h.len() / 2], p[p.len() / 2]))
    }

    /// How long the killed runs last over how long the slope says they should: about 1
    /// when the leak fills the limit; well below 1 when something else kills them first.
    pub fn cycle_ratio(&self) -> Option<f64> {
        let slope = self.line.slope;
        if slope <= 0.0 {
            return None;
        }
        let mut ratios: Vec<f64> = self
            .killed
            .iter()
            .filter(|k| k.hours > 0.0 && k.peak > k.start)
            .map(|k| k.hours / ((k.peak - k.start) / slope))
            .collect();
        if ratios.is_empty() {
            return None;
        }
        ratios.sort_by(f64::total_cmp);
        Some(ratios[ratios.len() / 2])
    }
}

/// Fits every run of 3+ samples. `Some` when every such run rises (Theil–Sen slope > 0,
/// Mann–Kendall p ≤ 0.1 for runs of 4+ samples) and at least one does; the runs'
/// median slope is the rate.
pub fn summarise(x: &[f64], y: &[f64], restarts: &[f64], t: &Thresholds) -> Option<Summary> {
    let runs = cut(x, y, restarts, t);
    let mut slopes = Vec::new();
    let mut last = None;
    let mut killed = Vec::new();
    for run in &runs {
        let (a, b) = (run.a, run.b);
        if matches!(run.end, End::Drop | End::Restart) && b > a {
            let peak = y[a..b].iter().copied().fold(f64::NEG_INFINITY, f64::max);
            killed.push(Killed { hours: x[b - 1] - x[a], peak, start: y[a] });
        }
        if b - a < 3 {
            continue;
        }
        let line = stats::theil_sen(&x[a..b], &y[a..b])?;
        let mk = stats::mann_kendall(&x[a..b], &y[a..b])?;
        if line.slope <= 0.0 || (b - a >= 4 && mk.p_increasing > 0.1) || mk.s <= 0.0 {
            return None;
        }
        slopes.push(line.slope);
        last = Some((line, mk));
    }
    let (line, mk) = last?;
    slopes.sort_by(f64::total_cmp);
    let slope = slopes[slopes.len() / 2];
    Some(Summary { line: Line { slope, intercept: line.intercept }, mk, fitted: slopes.len(), runs, killed })
}

/// One run of a container, in the model's terms (for the page's table).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunSpan {
    pub from: jiff::Timestamp,
    pub to: jiff::Timestamp,
    /// The first sample of the run and its highest.
    pub first: u64,
    pub peak: u64,
    pub end: End,
}

/// A container's runs, when it restarted (a restart count above 0, restarts the counter
/// recorded, or an OOM-killed last state) and its timed samples fall at most twice as
/// often as it restarted (else the falls are a garbage collector's): empty otherwise.
pub fn of_container(c: &crate::model::Container, t: &Thresholds) -> Vec<RunSpan> {
    let restarted = c.restarts.as_ref().is_some_and(|r| r.value > 0)
        || !c.restarted_at.is_empty()
        || c.last_termination.as_ref().is_some_and(|s| s.reason.as_deref() == Some("OOMKilled"));
    if !restarted {
        return Vec::new();
    }
    let timed: Vec<&crate::model::Sample> =
        super::sorted_samples(&c.memory_samples).into_iter().filter(|s| s.at.is_some()).collect();
    let (Some(t0), true) = (timed.first().and_then(|s| s.at), timed.len() >= 3) else { return Vec::new() };
    let hours = |at: jiff::Timestamp| at.duration_since(t0).as_secs_f64() / 3600.0;
    let x: Vec<f64> = timed.iter().filter_map(|s| s.at).map(hours).collect();
    let y: Vec<f64> = timed.iter().map(|s| s.bytes as f64).collect();
    let restarts: Vec<f64> = c.restarted_at.iter().map(|f| hours(f.value)).collect();
    let runs = cut(&x, &y, &restarts, t);
    let drops = runs.iter().filter(|r| r.end == End::Drop).count();
    let known = c.restarts.as_ref().map_or(0, |r| r.value as usize).max(c.restarted_at.len());
    if runs.len() < 2 || (known > 0 && drops > 2 * known + 1) {
        return Vec::new();
    }
    runs.iter()
        .filter_map(|r| {
            let (a, b) = (timed.get(r.a)?, timed.get(r.b.checked_sub(1)?)?);
            let peak = timed.get(r.a..r.b)?.iter().map(|s| s.bytes).max()?;
            Some(RunSpan { from: a.at?, to: b.at?, first: a.bytes, peak, end: r.end })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A leak of 20 units/h from 400, killed at 1000 (after 30 h), sampled every 0.25 h.
    fn leak(hours: f64) -> (Vec<f64>, Vec<f64>) {
        let mut x = Vec::new();
        let mut y = Vec::new();
        let mut level = 400.0;
        let mut t = 0.0;
        while t <= hours {
            x.push(t);
            y.push(level + if (t * 4.0) as i64 % 2 == 0 { 1.0 } else { -1.0 });
            level += 20.0 * 0.25;
            if level >= 1000.0 {
                level = 400.0;
            }
            t += 0.25;
        }
        (x, y)
    }

    #[test]
    fn a_leak_killed_twice_is_three_runs_with_one_slope() {
        let (x, y) = leak(72.0);
        let s = summarise(&x, &y, &[], &Thresholds::default()).unwrap();
        assert_eq!(s.runs.len(), 3, "{:?}", s.runs);
        assert_eq!(s.killed.len(), 2);
        assert!((s.line.slope - 20.0).abs() < 1.0, "{}", s.line.slope);
        let (hours, peak) = s.typical_kill().unwrap();
        assert!((hours - 29.75).abs() < 0.5 && (peak - 996.0).abs() < 6.0, "{hours} {peak}");
        let ratio = s.cycle_ratio().unwrap();
        assert!((ratio - 1.0).abs() < 0.1, "the cycle agrees with the slope: {ratio}");
    }

    #[test]
    fn restarts_and_gaps_cut_runs_too() {
        let x: Vec<f64> = (0..40).map(|i| f64::from(i) * 0.25).collect();
        let mut x2 = x.clone();
        for v in x2.iter_mut().skip(30) {
            *v += 5.0; // a 5 h gap before sample 30
        }
        let y: Vec<f64> = (0..40).map(|i| 100.0 + f64::from(i)).collect();
        let runs = cut(&x2, &y, &[5.0], &Thresholds::default());
        let ends: Vec<End> = runs.iter().map(|r| r.end).collect();
        assert_eq!(ends, [End::Restart, End::Gap, End::Open]);
        assert_eq!((runs[0].b, runs[1].b), (20, 30));
    }

    #[test]
    fn a_run_that_falls_is_no_growth() {
        // Negative control: a run whose memory goes down is not a leak's run.
        let x: Vec<f64> = (0..100).map(|i| f64::from(i) * 0.1).collect();
        let y: Vec<f64> = (0..100).map(|i| 500.0 - f64::from(i) * 0.5 + f64::from(i % 3)).collect();
        assert!(summarise(&x, &y, &[], &Thresholds::default()).is_none());
    }
}
