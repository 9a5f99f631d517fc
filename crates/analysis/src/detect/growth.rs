//! `memory-growth`: memory rises steadily, with the rate and the projected time to the
//! limit; and info findings when a series is a sawtooth, a plateau or flat (NOT growth).
//!
//! Rule, from `top` samples with times (container samples against the container limit;
//! pod samples, when no container has samples, against the sum of the container limits
//! when every container has one; a container without `top` samples uses the RSS
//! records of a memray report joined to it, and the detail says so):
//! - at least [`growth_min_samples`](super::Thresholds::growth_min_samples) timed samples;
//! - no fall between consecutive samples of [`sawtooth_drop_ratio`](super::Thresholds::sawtooth_drop_ratio)
//!   of the range or more (else: sawtooth, memory was given back);
//! - the Mann–Kendall test finds an increasing trend (p ≤ [`growth_max_p`](super::Thresholds::growth_max_p)),
//!   so one spike is not a trend, and the Theil–Sen rise over the samples is at least
//!   [`growth_min_bytes`](super::Thresholds::growth_min_bytes) and
//!   [`growth_min_ratio`](super::Thresholds::growth_min_ratio) of the start;
//! - the last third still rises (slope ≥ [`plateau_tail_ratio`](super::Thresholds::plateau_tail_ratio)
//!   of the earlier slope), else: plateau, a bounded cache filled up.
//!
//! A sawtooth of a container that restarted (or OOM-killed, or whose falls start at its
//! limit) is cut into its runs ([`super::runs`]: at falls, restart counter rises, gaps);
//! when every run rises, the rate is the runs' median slope, and the finding says how
//! long runs last, where they are killed, when the next kill is due by the cycle, and
//! whether the cycle agrees with the slope. A series that falls more than twice as often
//! as the restart counter rose is a garbage collector's sawtooth, not runs.
//!
//! The rate is the Theil–Sen slope in bytes per hour; time to the limit is
//! (limit − latest sample) / rate. Critical when that is within
//! [`critical_time_to_limit`](super::Thresholds::critical_time_to_limit), else warning.
//! With too few samples, a container OOM-killed at limit L after running T (Started →
//! Finished of its last termination) is growing about L/T, and the next kill is due T
//! after the current run started.
//!
//! Example: samples 300Mi, 321Mi, 341Mi, 362Mi, 382Mi at 30-minute intervals with a
//! 512Mi limit give "worker grew 41 MiB/h; at this rate it reaches its 512Mi limit in ~3h10m".

use jiff::{SignedDuration, Timestamp};

use super::runs;
use super::{
    app_containers, approx, bytes_f, capture_time, finding_for, oom, rate_per_hour, sorted_samples, when,
    DetectorInput, Thresholds, CONFIRM_IN_POD,
};
use crate::finding::{Finding, Kind, Severity};
use crate::model::{Container, Origin, Pod, Sample};
use crate::quantity::format_bytes;
use crate::stats::{self, Line, MannKendall};

/// What a series looks like.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// Rising steadily: fitted line (per x unit) and the test.
    Growing { line: Line, mk: MannKendall },
    /// Rose, then levelled off at about this value.
    Plateau { level: f64 },
    /// Rises and falls; the number of falls.
    Sawtooth { drops: usize },
    /// No rise worth the name.
    Flat,
    /// Moves, but not steadily in one direction.
    Noisy,
}

/// Parameters of [`shape`].
#[derive(Clone, Copy, Debug)]
pub struct ShapeRule {
    pub min_points: usize,
    pub max_p: f64,
    /// Smallest fitted rise over the series that counts.
    pub min_rise: f64,
    /// Smallest rise as a share of the fitted start.
    pub min_ratio: f64,
    pub drop_ratio: f64,
    pub plateau_tail_ratio: f64,
    pub flat_ratio: f64,
}

impl ShapeRule {
    pub fn memory(t: &Thresholds) -> ShapeRule {
        ShapeRule {
            min_points: t.growth_min_samples,
            max_p: t.growth_max_p,
            min_rise: t.growth_min_bytes as f64,
            min_ratio: t.growth_min_ratio,
            drop_ratio: t.sawtooth_drop_ratio,
            plateau_tail_ratio: t.plateau_tail_ratio,
            flat_ratio: t.flat_memory_ratio,
        }
    }
}

/// Classifies a series (x ascending). `None` with fewer than `min_points` points.
pub fn shape(x: &[f64], y: &[f64], r: &ShapeRule) -> Option<Shape> {
    let n = x.len().min(y.len());
    if n < r.min_points.max(3) {
        return None;
    }
    let (lo, hi) = y.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let range = hi - lo;
    let line = stats::theil_sen(x, y)?;
    let span = x[n - 1] - x[0];
    let rise = line.slope * span;
    let start = line.at(x[0]).abs().max(1.0);
    let mut sorted = y[..n].to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[n / 2].abs().max(1.0);
    // Sawtooth: real falls, larger than noise.
    if range >= r.min_rise {
        let drops = y.windows(2).filter(|w| w[0] - w[1] >= r.drop_ratio * range).count();
        if drops > 0 {
            return Some(Shape::Sawtooth { drops });
        }
    }
    let mk = stats::mann_kendall(x, y)?;
    if mk.p_increasing > r.max_p || line.slope <= 0.0 || rise < r.min_rise || rise < r.min_ratio * start {
        let flat =
            rise.abs() < r.flat_ratio * median.max(r.min_rise) && range < 2.0 * r.flat_ratio * median.max(r.min_rise);
        return Some(if flat { Shape::Flat } else { Shape::Noisy });
    }
    if n >= 6 {
        let cut = n - n / 3;
        let head = stats::theil_sen(&x[..cut], &y[..cut]);
        let tail = stats::theil_sen(&x[cut - 1..n], &y[cut - 1..n]);
        if let (Some(h), Some(t)) = (head, tail) {
            if h.slope > 0.0 && t.slope < r.plateau_tail_ratio * h.slope {
                let mut last: Vec<f64> = y[cut..n].to_vec();
                last.sort_by(f64::total_cmp);
                return Some(Shape::Plateau { level: last[last.len() / 2] });
            }
        }
    }
    Some(Shape::Growing { line, mk })
}

fn hours(d: SignedDuration) -> f64 {
    d.as_secs_f64() / 3600.0
}

fn since(a: Timestamp, b: Timestamp) -> SignedDuration {
    b.duration_since(a)
}

fn from_hours(h: f64) -> Option<SignedDuration> {
    let secs = h * 3600.0;
    (0.0..1e12).contains(&secs).then(|| SignedDuration::from_secs(secs.round() as i64))
}

/// One memory series to look at: a container's, or a pod's.
struct Subject<'a> {
    pod: &'a Pod,
    container: Option<&'a Container>,
    samples: &'a [Sample],
    limit: Option<(u64, Vec<Origin>)>,
    /// The spec was read (describe / -o json), so a missing limit is really missing.
    spec_known: bool,
}

pub fn detect(cx: &DetectorInput<'_>, out: &mut Vec<Finding>) {
    each_subject(cx, out, &mut |_, _| {});
}

/// The OOM cycle, once every other detector has run (it reads their findings): for
/// each container OOM-killed without enough timed samples to judge a trend, a
/// `memory-growth` finding from the cycle when something shows growth in a run, else
/// `memory-at-start` when the runs were short ([`oom_cycle`]).
pub fn detect_cycles(cx: &DetectorInput<'_>, out: &mut Vec<Finding>) {
    let mut unjudged: Vec<(&Pod, &Container)> = Vec::new();
    each_subject(cx, &mut Vec::new(), &mut |pod, c| {
        if !unjudged.iter().any(|(p, d)| std::ptr::eq(*p, pod) && std::ptr::eq(*d, c)) {
            unjudged.push((pod, c));
        }
    });
    for (pod, c) in unjudged {
        oom_cycle(cx, pod, c, out);
    }
}

/// Runs the sample trend of every container (and of pods without container samples);
/// `unjudged` gets the containers too few timed samples leave unjudged.
fn each_subject<'m>(cx: &DetectorInput<'m>, out: &mut Vec<Finding>, unjudged: &mut dyn FnMut(&'m Pod, &'m Container)) {
    for pod in &cx.model.pods {
        let any_container_samples = app_containers(pod).any(|c| !c.memory_samples.is_empty());
        for c in app_containers(pod) {
            // Without `kubectl top` samples, a memray report's RSS records are the
            // container's memory series.
            let records = memray_samples(c);
            let samples = if c.memory_samples.is_empty() { &records[..] } else { &c.memory_samples[..] };
            let s = Subject {
                pod,
                container: Some(c),
                samples,
                limit: c.memory_limit.as_ref().map(|l| (l.value, vec![l.origin])),
                spec_known: c.image.is_some() || c.memory_request.is_some() || c.memory_limit.is_some(),
            };
            let before = out.len();
            if !samples_trend(cx, &s, out) {
                unjudged(pod, c);
            }
            if c.memory_samples.is_empty() && !records.is_empty() {
                for f in out[before..].iter_mut().filter(|f| f.kind == Kind::MemoryGrowth) {
                    f.detail = format!(
                        "From memray's memory records (the process's resident size, {} records of a memray report): {}",
                        records.len(),
                        f.detail
                    );
                }
            }
        }
        if !any_container_samples && !pod.memory_samples.is_empty() {
            let cs: Vec<&Container> = app_containers(pod).collect();
            let limit = if !cs.is_empty() && cs.iter().all(|c| c.memory_limit.is_some()) {
                let sum =
                    cs.iter().filter_map(|c| c.memory_limit.as_ref()).fold(0u64, |a, l| a.saturating_add(l.value));
                Some((sum, cs.iter().filter_map(|c| c.memory_limit.as_ref().map(|l| l.origin)).collect()))
            } else {
                None
            };
            let s = Subject { pod, container: None, samples: &pod.memory_samples, limit, spec_known: false };
            if !samples_trend(cx, &s, out) && cs.len() == 1 {
                if let Some(c) = cs.first() {
                    unjudged(pod, c);
                }
            }
        }
    }
}

/// A container's memray memory records (RSS over time) as memory samples.
fn memray_samples(c: &Container) -> Vec<Sample> {
    c.profiles
        .memory_records
        .iter()
        .enumerate()
        .map(|(i, r)| Sample { at: r.at, seq: u32::try_from(i).unwrap_or(u32::MAX), bytes: r.rss, origin: r.origin })
        .collect()
}

/// Trend over samples; `true` when there were enough timed samples to judge.
fn samples_trend(cx: &DetectorInput<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) -> bool {
    if !s.samples.is_empty() && s.samples.iter().all(|x| x.at.is_none()) {
        return untimed_trend(cx, s, out);
    }
    let timed: Vec<&Sample> = sorted_samples(s.samples).into_iter().filter(|x| x.at.is_some()).collect();
    let (Some(first), Some(last)) = (timed.first(), timed.last()) else {
        return false;
    };
    let (Some(t0), Some(t1)) = (first.at, last.at) else {
        return false;
    };
    let x: Vec<f64> = timed.iter().filter_map(|p| p.at).map(|t| hours(since(t0, t))).collect();
    let y: Vec<f64> = timed.iter().map(|p| p.bytes as f64).collect();
    let Some(shape) = shape(&x, &y, &ShapeRule::memory(cx.t)) else {
        return false;
    };
    let who = match s.container {
        Some(c) => c.name.clone(),
        None => format!("pod {}", s.pod.name),
    };
    let span = since(t0, t1);
    let n = timed.len();
    let evidence: Vec<Origin> =
        timed.iter().map(|p| p.origin).chain(s.limit.iter().flat_map(|(_, o)| o.iter().copied())).collect();
    let oomed = s.container.is_some_and(|c| oom::container_oom_killed(s.pod, c));
    let restarted = s.container.and_then(|c| c.restarts.as_ref()).is_some_and(|r| r.value > 0);
    let series = format!(
        "{} samples over {} ({} at {} → {} at {})",
        n,
        crate::time::format_duration(span),
        format_bytes(first.bytes),
        when(t0),
        format_bytes(last.bytes),
        when(t1)
    );
    // A sawtooth of a container that restarts may be a leak cut short by OOM kills:
    // each run rises again. Then the rate is the median of the runs' slopes (`runs`).
    let restart_hours: Vec<f64> =
        s.container.map_or(&[][..], |c| &c.restarted_at[..]).iter().map(|f| hours(since(t0, f.value))).collect();
    let mut between_restarts = None;
    let shape = match shape {
        Shape::Sawtooth { drops }
            if (oomed || restarted || kills_at_limit(&y, s.limit.as_ref().map(|l| l.0), cx.t))
                && !gc_teeth(drops, &restart_hours, s.container) =>
        {
            match runs::summarise(&x, &y, &restart_hours, cx.t) {
                Some(sum) => {
                    let (line, mk) = (sum.line, sum.mk);
                    between_restarts = Some(sum);
                    Shape::Growing { line, mk }
                }
                None => Shape::Sawtooth { drops },
            }
        }
        other => other,
    };
    match shape {
        Shape::Growing { line, mk } => {
            let rate = line.slope; // bytes per hour
            let mut f = finding_for(Kind::MemoryGrowth, Severity::Warning, s.pod, s.container);
            let mut title = format!("{who} grew {}", rate_per_hour(rate));
            if let Some(sum) = &between_restarts {
                title.push_str(&format!(" in each of its last {} runs", sum.fitted));
                if let Some((h, peak)) = sum.typical_kill() {
                    title.push_str(&format!(
                        " and is killed at ~{} after {}",
                        bytes_f(peak),
                        from_hours(h).map(approx).unwrap_or_else(|| "?".into())
                    ));
                }
            }
            let within = if between_restarts.is_some() { " within each run" } else { "" };
            let mut detail = format!(
                "Memory rose steadily{within}: {series}. Theil–Sen slope {}, Mann–Kendall p = {:.3} (τ = {:.2}), so \
this is a trend, not a single spike.",
                rate_per_hour(rate),
                mk.p_increasing,
                mk.tau
            );
            match &s.limit {
                Some((limit, _)) => {
                    let remaining = *limit as f64 - last.bytes as f64;
                    let what = if s.container.is_some() {
                        format!("its {} limit", format_bytes(*limit))
                    } else {
                        format!("its containers' summed {} limit", format_bytes(*limit))
                    };
                    if remaining <= 0.0 {
                        title.push_str(&format!(" and is at {what}"));
                        f.time_to_limit = Some(SignedDuration::ZERO);
                    } else if let Some(eta) = from_hours(remaining / rate) {
                        title.push_str(&format!("; at this rate it reaches {what} in {}", approx(eta)));
                        detail.push_str(&format!(
                            " {} of headroom is left at the last sample: the OOM kill is due around {}.",
                            bytes_f(remaining),
                            t1.checked_add(eta).map(when).unwrap_or_else(|_| "?".into())
                        ));
                        f.time_to_limit = Some(eta);
                    }
                }
                None if s.spec_known => {
                    title.push_str(" with no memory limit");
                    detail.push_str(" With no limit it grows until the node runs short and evicts pods.");
                }
                None => {
                    title.push_str(&format!(" over {}", crate::time::format_duration(span)));
                }
            }
            if f.time_to_limit.is_some_and(|e| e <= cx.t.critical_time_to_limit) {
                f.severity = Severity::Critical;
            }
            if let Some(sum) = &between_restarts {
                detail.push_str(&runs_detail(sum, &x, t0));
            }
            if between_restarts.is_some() {
                detail.push_str(
                    " The falls between the samples are restarts of the container: memory rises again in every run, so the drops are the leak being reset by kills, not memory given back.",
                );
            }
            f.title = title;
            f.detail = detail;
            f.advice = format!(
                "Find the object that accumulates: the log-pattern findings (if any) name candidates. {CONFIRM_IN_POD} \
{RECYCLE}"
            );
            f.evidence = evidence;
            out.push(f);
        }
        // A sawtooth (memory given back), a plateau (a bounded cache filled up), a flat
        // or noisy series: no evidence of growth, so no growth finding (issue 17).
        Shape::Sawtooth { .. } | Shape::Plateau { .. } | Shape::Flat | Shape::Noisy => {}
    }
    true
}

/// Samples without times (a hand paste of several `top` outputs): the same test over
/// the sample order; a rise is reported without a rate, since the bundle gives no time.
fn untimed_trend(cx: &DetectorInput<'_>, s: &Subject<'_>, out: &mut Vec<Finding>) -> bool {
    let sorted = sorted_samples(s.samples);
    let x: Vec<f64> = (0..sorted.len()).map(|i| i as f64).collect();
    let y: Vec<f64> = sorted.iter().map(|p| p.bytes as f64).collect();
    let Some(shape) = shape(&x, &y, &ShapeRule::memory(cx.t)) else {
        return false;
    };
    let (Some(first), Some(last)) = (sorted.first(), sorted.last()) else {
        return false;
    };
    if let Shape::Growing { mk, .. } = shape {
        let who = match s.container {
            Some(c) => c.name.clone(),
            None => format!("pod {}", s.pod.name),
        };
        let mut f = finding_for(Kind::MemoryGrowth, Severity::Warning, s.pod, s.container);
        f.title = format!(
            "{who} rose from {} to {} over {} samples (no times in the bundle, so no rate)",
            format_bytes(first.bytes),
            format_bytes(last.bytes),
            sorted.len()
        );
        if let Some((limit, _)) = &s.limit {
            f.title.push_str(&format!("; limit {}", format_bytes(*limit)));
        }
        f.detail = format!(
            "Memory rose steadily across the samples (Mann–Kendall p = {:.3}, τ = {:.2}). The bundle does not say when \
they were taken: capture with `kubeleak collect`, or put `date` before each `kubectl top`, to get a rate and the \
time left before the limit.",
            mk.p_increasing, mk.tau
        );
        f.advice = format!("Find the object that accumulates. {CONFIRM_IN_POD}");
        f.evidence = sorted.iter().map(|p| p.origin).collect();
        f.evidence.extend(s.limit.iter().flat_map(|(_, o)| o.iter().copied()));
        out.push(f);
        return true;
    }
    // Not growing: the OOM cycle (if any) may still give a rate.
    false
}

/// Whether a drop comes right after a sample at or above the near-limit share of the
/// limit: a kill at the limit, even when no restart count or termination was read (a
/// Grafana export of memory only).
fn kills_at_limit(y: &[f64], limit: Option<u64>, t: &Thresholds) -> bool {
    let Some(limit) = limit.map(|l| l as f64).filter(|l| *l > 0.0) else { return false };
    let (lo, hi) = y.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let range = hi - lo;
    range > 0.0
        && y.windows(2).any(|w| w[0] >= t.near_limit_ratio * limit && w[0] - w[1] >= t.sawtooth_drop_ratio * range)
}

/// Whether the falls are a garbage collector's, not restarts: the restart counter was
/// read (Prometheus), and the series falls more than twice as often as it restarted.
fn gc_teeth(drops: usize, restart_hours: &[f64], c: Option<&Container>) -> bool {
    let counted = c.is_some_and(|c| !c.restarted_at.is_empty());
    counted && drops > 2 * restart_hours.len() + 1
}

/// The runs in words: the kills, when the next is due by the cycle, and whether the
/// cycle agrees with the slope.
fn runs_detail(sum: &runs::Summary, x: &[f64], t0: Timestamp) -> String {
    let mut d = format!(
        " The series is cut into {} runs at its restarts (drops, restart counts, gaps); each run was fitted alone and the \
rate is their median.",
        sum.runs.len()
    );
    if let Some((h, peak)) = sum.typical_kill() {
        d.push_str(&format!(
            " {} run{} ended in a kill, typically at ~{} after {}.",
            sum.killed.len(),
            if sum.killed.len() == 1 { "" } else { "s" },
            bytes_f(peak),
            from_hours(h).map(approx).unwrap_or_else(|| "?".into())
        ));
        if let Some(open) = sum.runs.last().filter(|r| r.end == runs::End::Open) {
            let at = |hours: f64| from_hours(hours).and_then(|d| t0.checked_add(d).ok());
            let start = x.get(open.a).copied();
            if let (Some(started), Some(due)) = (start.and_then(at), start.and_then(|s| at(s + h))) {
                d.push_str(&format!(
                    " The current run started at {}; by the cycle, the next kill is due around {}.",
                    when(started),
                    when(due)
                ));
            }
        }
        if let Some(ratio) = sum.cycle_ratio() {
            if (1.0 / runs::CYCLE_AGREEMENT..=runs::CYCLE_AGREEMENT).contains(&ratio) {
                d.push_str(&format!(
                    " The cycle agrees with the slope: at {} a run takes about as long to reach that peak as the runs \
lasted ({:.0} % of it), so the kills are this growth filling the limit.",
                    rate_per_hour(sum.line.slope),
                    ratio * 100.0
                ));
            } else if ratio < 1.0 {
                d.push_str(&format!(
                    " The cycle is faster than the slope: the runs lasted {:.0} % of the time the slope needs to reach the \
peak, so something besides this growth (a burst of requests, a large allocation) tips them over.",
                    ratio * 100.0
                ));
            } else {
                d.push_str(&format!(
                    " The runs lasted longer than the slope predicts ({:.0} % of it): the growth slows down within a run.",
                    ratio * 100.0
                ));
            }
        }
    }
    d
}

/// Whether something shows memory growing within one run of the container: at least
/// two timed samples of one run (the killed run, or the current one), the last above
/// the first, or a growing log series
/// (a leak-pattern or `circular-references` finding of the container).
fn growth_in_a_run(pod: &Pod, c: &Container, out: &[Finding]) -> bool {
    let series = out.iter().any(|f| {
        f.pod.as_deref() == Some(pod.name.as_str())
            && f.namespace == pod.namespace
            && f.container.as_deref() == Some(c.name.as_str())
            && f.kind.is_pattern()
    });
    if series {
        return true;
    }
    let own = if c.memory_samples.is_empty() && app_containers(pod).count() == 1 {
        &pod.memory_samples[..]
    } else {
        &c.memory_samples[..]
    };
    let timed: Vec<&Sample> = sorted_samples(own).into_iter().filter(|s| s.at.is_some()).collect();
    let mut runs: Vec<(Option<Timestamp>, Option<Timestamp>)> = Vec::new();
    if let Some(t) = &c.last_termination {
        runs.push((t.started, t.finished));
    }
    if let Some(s) = c.state.as_ref().filter(|s| s.state == "running") {
        runs.push((s.started, None));
    }
    runs.iter().any(|&(from, to)| {
        let inside: Vec<&&Sample> = timed
            .iter()
            .filter(|s| s.at.is_some_and(|t| from.is_none_or(|f| t >= f) && to.is_none_or(|e| t <= e)))
            .collect();
        match (inside.first(), inside.last()) {
            (Some(a), Some(b)) if inside.len() >= 2 => b.bytes > a.bytes,
            _ => false,
        }
    })
}

/// With too few samples to judge a trend: the OOM cycle. A container OOM-killed at
/// limit L after running T grows about L/T, when something in a run shows growth
/// ([`growth_in_a_run`]); then the next kill is due T after the current run started.
/// Without such evidence, a run of at most
/// [`at_start_max_run`](super::Thresholds::at_start_max_run) is `memory-at-start`: it
/// needs more than its limit soon after start, or grows very fast, and only samples
/// during a run can tell. A longer run without evidence gives no finding here (the
/// `oom-killed` finding says what is known).
fn oom_cycle(cx: &DetectorInput<'_>, pod: &Pod, c: &Container, out: &mut Vec<Finding>) {
    let Some(term) = c.last_termination.as_ref().filter(|t| oom::oom_state(t) == Some(true)) else {
        return;
    };
    let (Some(start), Some(end), Some(limit)) = (term.started, term.finished, c.memory_limit.as_ref()) else {
        return;
    };
    let run = since(start, end);
    if run < SignedDuration::ZERO {
        return;
    }
    if !growth_in_a_run(pod, c, out) {
        if run <= cx.t.at_start_max_run {
            out.push(at_start(pod, c, term, limit, run));
        }
        return;
    }
    if run == SignedDuration::ZERO {
        return;
    }
    let rate = limit.value as f64 / hours(run);
    let mut f = finding_for(Kind::MemoryGrowth, Severity::Warning, pod, Some(c));
    f.title = format!(
        "{} grows about {}: it reached its {} limit after running {} before the last OOM kill",
        c.name,
        rate_per_hour(rate),
        format_bytes(limit.value),
        crate::time::format_duration(run)
    );
    f.detail = format!(
        "Too few timed memory samples for a trend, so the rate is inferred from the OOM cycle: {} limit / {} run \
({} → {}). This is an upper bound: the process starts above zero (interpreter, imports), so the leak itself is \
somewhat slower. Growth within a run is shown by the container's other findings or samples.",
        format_bytes(limit.value),
        crate::time::format_duration(run),
        when(start),
        when(end)
    );
    f.time_to_limit = Some(run);
    let current = c.state.as_ref().filter(|s| s.state == "running").and_then(|s| s.started.map(|t| (t, s.origin)));
    if let (Some((started, origin)), Some(now)) = (current, capture_time(cx.model)) {
        let left = run - since(started, now);
        if left > SignedDuration::ZERO {
            f.title.push_str(&format!("; the next kill is due in {}", approx(left)));
            f.time_to_limit = Some(left);
        } else {
            f.title.push_str("; the current run is already past that time");
            f.time_to_limit = Some(SignedDuration::ZERO);
        }
        f.detail.push_str(&format!(" The current run started at {}.", when(started)));
        f.evidence.push(origin);
    }
    if f.time_to_limit.is_some_and(|e| e <= cx.t.critical_time_to_limit) {
        f.severity = Severity::Critical;
    }
    f.advice = format!("{CONFIRM_IN_POD} {RECYCLE}");
    f.evidence.push(term.origin);
    f.evidence.push(limit.origin);
    out.push(f);
}

/// How to live with a leak until it is fixed.
pub const RECYCLE: &str = "Until it is fixed, recycle workers (gunicorn `--max-requests 1000 --max-requests-jitter \
100`, celery `--max-tasks-per-child` / `--max-memory-per-child`) rather than raising the limit.";

/// What to do about a container that needs more than its limit at start.
pub const AT_START_ADVICE: &str = "Measure the peak at start: run the image with a larger limit and read the peak \
(`kubectl top pod --containers` every few seconds during start-up, or log \
`resource.getrusage(resource.RUSAGE_SELF).ru_maxrss` once loaded, or `memray run`), then set the limit to that \
peak plus ~25 % headroom and the request close to it. Or need less at start: load models and data lazily or \
memory-mapped (`mmap`, `numpy.load(..., mmap_mode=\"r\")`, safetensors), once per pod rather than per worker \
(gunicorn `--preload`), and one shard at a time into its final place instead of whole files into memory.";

/// `memory-at-start`: OOM-killed after a short run, nothing showing growth.
fn at_start(
    pod: &Pod,
    c: &Container,
    term: &crate::model::ContainerState,
    limit: &crate::model::Fact<u64>,
    run: SignedDuration,
) -> Finding {
    let mut f = finding_for(Kind::MemoryAtStart, Severity::Critical, pod, Some(c));
    let restarts = c.restarts.as_ref().map(|r| r.value).unwrap_or(0);
    f.title = format!(
        "{} is OOM-killed soon after start: its last run lasted {} before it reached its {} limit",
        c.name,
        crate::time::format_duration(run),
        format_bytes(limit.value)
    );
    if restarts > 0 {
        f.title.push_str(&format!("; {restarts} restart{}", if restarts == 1 { "" } else { "s" }));
    }
    f.detail = format!(
        "Nothing in the bundle shows memory growing during a run: no rising `top` samples, no growing log series. \
A container killed {} after starting needs more than its {} limit soon after start (models, data or caches \
loaded at start-up), or grows very fast; `top` samples during a run (or the peak RSS logged at start) tell which. \
The rate limit / run time would be a guess, so none is given.",
        crate::time::format_duration(run),
        format_bytes(limit.value)
    );
    f.advice = AT_START_ADVICE.to_string();
    f.evidence.push(term.origin);
    f.evidence.push(limit.origin);
    f.evidence.extend(c.restarts.as_ref().map(|r| r.origin));
    f
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{run, Thresholds};
    use super::*;
    use crate::model::{ContainerState, Fact};

    fn with_samples(mib: &[u64], limit: Option<u64>) -> Vec<Finding> {
        let mut c = container("worker", limit);
        c.memory_samples = samples(mib, 30);
        run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default())
    }

    fn growth(f: &[Finding]) -> Vec<&Finding> {
        f.iter().filter(|f| f.kind == "memory-growth").collect()
    }

    #[test]
    fn steady_growth_with_time_to_limit() {
        // +20.5 MiB per 30 min = 41 MiB/h; 512 − 382 = 130 MiB left → ~3h10m.
        let f = with_samples(&[300, 320, 341, 361, 382], Some(512));
        let g = growth(&f);
        assert_eq!(g.len(), 1, "{f:#?}");
        assert_eq!(g[0].severity, Severity::Warning);
        assert!(
            g[0].title.starts_with("worker grew 41 MiB/h; at this rate it reaches its 512Mi limit in ~3h"),
            "{}",
            g[0].title
        );
        assert_eq!(g[0].evidence.len(), 6);
    }

    #[test]
    fn critical_when_close() {
        let f = with_samples(&[300, 340, 380, 420, 460], Some(512));
        let g = growth(&f);
        assert_eq!(g[0].severity, Severity::Critical);
        assert!(g[0].title.contains("in ~39m"), "{}", g[0].title);
    }

    #[test]
    fn one_spike_is_not_growth() {
        let f = with_samples(&[300, 302, 480, 301, 303, 300, 302], Some(512));
        assert!(growth(&f).iter().all(|g| g.severity == Severity::Info), "{f:#?}");
    }

    #[test]
    fn sawtooth_and_plateau_are_no_growth_finding() {
        // Neither shows growth: no `memory-growth` finding at all (issue 17).
        let f = with_samples(&[200, 260, 320, 210, 270, 330, 205, 265], Some(512));
        assert!(growth(&f).is_empty(), "{f:#?}");
        let f = with_samples(&[200, 250, 300, 340, 350, 351, 350, 352, 351], Some(512));
        assert!(growth(&f).is_empty(), "{f:#?}");
    }

    #[test]
    fn restarts_cut_the_growth_short() {
        let mut c = container("worker", Some(512));
        c.restarts = Some(Fact::new(2, o(25)));
        c.memory_samples = samples(&[300, 360, 420, 480, 120, 180, 240, 300, 360], 30);
        let f = run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default());
        let g = growth(&f);
        assert_eq!(g[0].severity, Severity::Critical, "{g:#?}");
        assert!(
            g[0].title.starts_with(
                "worker grew 120 MiB/h in each of its last 2 runs and is killed at ~480Mi after ~1h30m; at this rate it \
reaches its 512Mi limit in ~1h16m"
            ),
            "{}",
            g[0].title
        );
    }

    #[test]
    fn samples_without_times_rise_without_rate() {
        let mut c = container("worker", Some(512));
        c.memory_samples = samples(&[300, 320, 341, 361, 382], 30);
        for s in &mut c.memory_samples {
            s.at = None;
        }
        let f = run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default());
        let g = growth(&f);
        assert_eq!(
            g[0].title,
            "worker rose from 300Mi to 382Mi over 5 samples (no times in the bundle, so no rate); limit 512Mi"
        );
    }

    #[test]
    fn flat_is_no_growth_finding() {
        assert!(growth(&with_samples(&[300, 301, 300, 302, 301, 300], None)).is_empty());
        assert!(growth(&with_samples(&[300, 301, 300, 302, 301, 300], Some(512))).is_empty());
    }

    fn oom_killed_after(run_start: &str, run_end: &str) -> crate::model::Container {
        let mut c = container("worker", Some(512));
        c.last_termination = Some(ContainerState {
            state: "terminated".into(),
            reason: Some("OOMKilled".into()),
            exit_code: Some(137),
            started: Some(ts(run_start)),
            finished: Some(ts(run_end)),
            origin: o(20),
        });
        c.restarts = Some(Fact::new(3, o(25)));
        c
    }

    #[test]
    fn oom_cycle_without_growth_is_no_rate() {
        // A short run, nothing growing: memory-at-start, not ~900 GiB/h of growth.
        let c = oom_killed_after("2026-11-24T09:00:00Z", "2026-11-24T09:00:01Z");
        let f = run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default());
        assert!(growth(&f).is_empty(), "{f:#?}");
        let s: Vec<_> = f.iter().filter(|f| f.kind == Kind::MemoryAtStart).collect();
        assert_eq!(s.len(), 1, "{f:#?}");
        assert_eq!(
            s[0].title,
            "worker is OOM-killed soon after start: its last run lasted 1s before it reached its 512Mi limit; 3 restarts"
        );
        // Negative controls: a long run without evidence is neither growth nor memory-at-start…
        let c = oom_killed_after("2026-11-24T07:00:00Z", "2026-11-24T09:00:00Z");
        let f = run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default());
        assert!(growth(&f).is_empty() && !f.iter().any(|f| f.kind == Kind::MemoryAtStart), "{f:#?}");
        // …and a short run whose samples rise is growth, not memory-at-start.
        let mut c = oom_killed_after("2026-11-24T09:58:00Z", "2026-11-24T10:01:00Z");
        c.memory_samples = samples(&[100, 400], 1);
        let f = run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default());
        assert_eq!(growth(&f).len(), 1, "{f:#?}");
        assert!(!f.iter().any(|f| f.kind == Kind::MemoryAtStart));
    }

    #[test]
    fn rate_from_oom_cycle() {
        let mut c = container("worker", Some(512));
        c.last_termination = Some(ContainerState {
            state: "terminated".into(),
            reason: Some("OOMKilled".into()),
            exit_code: Some(137),
            started: Some(ts("2026-11-24T07:00:00Z")),
            finished: Some(ts("2026-11-24T09:00:00Z")),
            origin: o(20),
        });
        c.state = Some(ContainerState {
            state: "running".into(),
            started: Some(ts("2026-11-24T09:00:10Z")),
            origin: o(18),
            ..ContainerState::default()
        });
        c.restarts = Some(Fact::new(3, o(25)));
        // Growth in the current run: two rising samples.
        c.memory_samples = samples(&[100, 200], 20);
        let mut m = model_with(vec![pod("w-1", vec![c])]);
        m.capture.captured_at = Some(ts("2026-11-24T10:30:10Z"));
        let f = run(&m, &Thresholds::default());
        let g = growth(&f);
        assert_eq!(
            g[0].title,
            "worker grows about 256 MiB/h: it reached its 512Mi limit after running 2h00m before the last OOM kill; the next kill is due in ~30m"
        );
        assert_eq!(g[0].severity, Severity::Critical);
        assert_eq!(g[0].time_to_limit, Some(SignedDuration::from_mins(30)));
    }

    #[test]
    fn pod_samples_against_summed_limits() {
        let mut p = pod("w-1", vec![container("app", Some(400)), container("side", Some(112))]);
        p.memory_samples = samples(&[300, 320, 341, 361, 382], 30);
        let f = run(&model_with(vec![p]), &Thresholds::default());
        let g = growth(&f);
        assert!(g[0].title.contains("its containers' summed 512Mi limit"), "{}", g[0].title);
        assert_eq!(g[0].container, None);
    }
}

#[cfg(test)]
mod memray_tests {
    const REPORT: &str = include_str!("../../../../tests/fixtures/cases/pyprof/memray-flamegraph.html");

    #[test]
    fn memray_rss_records_are_the_memory_series_without_top() {
        let describe = "$ kubectl describe pod -n shop w-1\nName:         w-1\nNamespace:    shop\nStatus:       Running\nContainers:\n  worker:\n    Image:          registry.example/worker:1.4\n    State:          Running\n    Restart Count:  0\n    Limits:\n      memory:  512Mi\n";
        let a = crate::analyze(
            &[
                crate::Input { name: "describe.txt", bytes: describe.as_bytes() },
                crate::Input { name: "memray.html", bytes: REPORT.as_bytes() },
            ],
            &crate::input::Limits::default(),
        );
        let records = &a.model.pods[0].containers[0].profiles.memory_records;
        assert!(records.len() >= 4, "{records:?}");
        let f = a
            .findings
            .iter()
            .find(|f| f.kind == "memory-growth" && f.severity > crate::Severity::Info)
            .unwrap_or_else(|| panic!("growth from memray's RSS: {:#?}", a.findings));
        assert!(f.detail.starts_with("From memray's memory records"), "{}", f.detail);
        assert!(f.title.contains("512Mi limit"), "{}", f.title);
        assert!(f.evidence.iter().any(|o| a.model.source_name(*o) == "memray.html"));
        // With `kubectl top` samples, those stay the series.
        let top = "$ kubectl top pod -n shop --containers\nPOD NAME CPU(cores) MEMORY(bytes)\nw-1 worker 1m 301Mi\n";
        let b = crate::analyze(
            &[
                crate::Input { name: "describe.txt", bytes: describe.as_bytes() },
                crate::Input { name: "top.txt", bytes: top.as_bytes() },
                crate::Input { name: "memray.html", bytes: REPORT.as_bytes() },
            ],
            &crate::input::Limits::default(),
        );
        assert!(b.findings.iter().all(|f| !f.detail.starts_with("From memray")));
    }
}
