//! Charts drawn a few at a time (issue 7). Drawing a chart with plotters measures its
//! text in the DOM, and a big input has over a hundred charts (memory small multiples
//! and one per finding): drawn all at once they froze the page for a second when the
//! results arrived. Now the results' first render draws charts only within a small time
//! budget; each chart not drawn then shows a placeholder of its size, and is drawn in a
//! later task, a batch per task within the same budget, so the page stays responsive
//! and ends up showing exactly the same charts. Small inputs (a few charts) are drawn
//! in the first render, as before.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use kubeleak_analysis::chart;
use wasm_bindgen::{closure::Closure, JsCast};
use yew::prelude::*;

use crate::view::{Shared, View};

/// Milliseconds of drawing per task (the first render's, then each later batch's).
const BUDGET_MS: f64 = 20.0;

/// Which chart of a view.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Which {
    /// The memory chart: all series in one chart, or one small multiple per series.
    Memory(usize),
    /// The chart of the finding at this index.
    Finding(usize),
    /// One series on its own (a pod's detail).
    Series(usize),
}

/// The memory charts of a view: one chart for a few series; small multiples (one per
/// series) for many, leaving out the pods of workloads shown as a table of sparklines
/// (their charts open from there). Each with the index of its series and its label
/// ("" for the single chart).
pub fn memory_charts(v: &View) -> Vec<(usize, String)> {
    match v.series.len() {
        0 => Vec::new(),
        1..=6 => vec![(0, String::new())],
        _ => {
            let tabled: std::collections::HashSet<&str> = v
                .fleets
                .iter()
                .filter(|f| f.fleet.is_table())
                .flat_map(|f| f.fleet.replicas.iter().map(|r| r.pod.as_str()))
                .collect();
            let pod = |label: &str| label.split('/').next().unwrap_or("").to_string();
            v.series
                .iter()
                .enumerate()
                .filter(|(_, s)| !tabled.contains(pod(&s.label).as_str()))
                .map(|(i, s)| (i, s.label.clone()))
                .collect()
        }
    }
}

/// Size in pixels of a chart, as drawn.
fn size(view: &View, which: Which) -> (u32, u32) {
    match which {
        Which::Memory(_) if view.series.len() <= 6 => (900, 400),
        Which::Memory(_) | Which::Series(_) => (440, 240),
        Which::Finding(_) => (860, 280),
    }
}

fn draw(view: &View, which: Which) -> String {
    let (w, h) = size(view, which);
    match which {
        Which::Memory(_) if view.series.len() <= 6 => chart::memory_svg(view.axis, &view.series, w, h),
        Which::Memory(i) | Which::Series(i) => {
            chart::memory_svg(view.axis, view.series.get(i..=i).unwrap_or_default(), w, h)
        }
        Which::Finding(i) => {
            view.findings.get(i).and_then(|f| f.chart.as_ref()).map(|c| chart::finding_svg(c, w, h)).unwrap_or_default()
        }
    }
}

thread_local! {
    /// Until when (ms, `Date.now()`) the current task may still draw.
    static DEADLINE: Cell<f64> = const { Cell::new(0.0) };
    /// Charts waiting to be drawn, oldest first.
    static QUEUE: RefCell<VecDeque<Box<dyn FnOnce()>>> = RefCell::new(VecDeque::new());
    /// Whether a task to drain the queue is scheduled.
    static ARMED: Cell<bool> = const { Cell::new(false) };
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Views with at most this many charts have them all drawn in the first render.
const DRAW_AT_ONCE: usize = 8;

/// The number of charts of a view.
pub fn count(v: &View) -> usize {
    memory_charts(v).len() + v.findings.iter().filter(|f| f.chart.is_some()).count()
}

/// Opens the drawing budget of a new view's first render: all its charts when they are
/// few, else a short budget (the rest of that task renders the other results).
pub fn start_first(charts: usize) {
    let budget = if charts <= DRAW_AT_ONCE { f64::INFINITY } else { BUDGET_MS / 2.0 };
    DEADLINE.with(|d| d.set(now() + budget));
}

/// Opens a drawing budget for this task.
fn start_budget() {
    DEADLINE.with(|d| d.set(now() + BUDGET_MS));
}

fn in_budget() -> bool {
    now() < DEADLINE.with(Cell::get)
}

fn arm() {
    if ARMED.with(|a| a.replace(true)) {
        return;
    }
    let run = Closure::once_into_js(drain);
    let scheduled = web_sys::window()
        .and_then(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), 0).ok())
        .is_some();
    if !scheduled {
        ARMED.with(|a| a.set(false));
    }
}

/// Draws queued charts for one budget, then leaves the rest to the next task.
fn drain() {
    ARMED.with(|a| a.set(false));
    start_budget();
    while in_budget() {
        let Some(job) = QUEUE.with(|q| q.borrow_mut().pop_front()) else { return };
        job();
    }
    if QUEUE.with(|q| !q.borrow().is_empty()) {
        arm();
    }
}

/// Runs `job` in a later task, after the charts and jobs queued before it.
pub fn later(job: Box<dyn FnOnce()>) {
    QUEUE.with(|q| q.borrow_mut().push_back(job));
    arm();
}

#[derive(Properties, PartialEq, Clone)]
pub struct Props {
    pub view: Shared,
    pub which: Which,
}

/// One chart: drawn now if the task's budget allows, else soon (a placeholder of its
/// size meanwhile).
#[function_component(LazyChart)]
pub fn lazy_chart(props: &Props) -> Html {
    let drawn = use_mut_ref(|| None::<(Props, AttrValue)>);
    let update = use_force_update();
    let have = drawn.borrow().as_ref().is_some_and(|(p, _)| p == props);
    if !have && in_budget() {
        *drawn.borrow_mut() = Some((props.clone(), AttrValue::from(draw(&props.view.0, props.which))));
    }
    {
        let drawn = drawn.clone();
        use_effect_with(props.clone(), move |p| {
            let gone = Rc::new(Cell::new(false));
            if !drawn.borrow().as_ref().is_some_and(|(q, _)| q == p) {
                let (p, gone) = (p.clone(), gone.clone());
                later(Box::new(move || {
                    if gone.get() {
                        return;
                    }
                    *drawn.borrow_mut() = Some((p.clone(), AttrValue::from(draw(&p.view.0, p.which))));
                    update.force_update();
                }));
            }
            move || gone.set(true)
        });
    }
    let current = drawn.borrow().as_ref().filter(|(p, _)| p == props).map(|(_, svg)| svg.clone());
    match current {
        Some(svg) => Html::from_html_unchecked(svg),
        None => {
            let (w, h) = size(&props.view.0, props.which);
            html! { <div class="chart-pending" style={format!("max-width:{w}px;aspect-ratio:{w}/{h}")} /> }
        }
    }
}
