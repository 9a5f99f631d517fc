//! The page's side of the Web Workers (the analysis worker, [`crate::worker`], and the
//! lines worker, [`crate::lines_worker`]): starts `worker.js` (the same wasm, so the
//! browser downloads it once), sends it the paste and the `File`s, and hands its
//! messages to the app. It imports none of the workers' code: they meet only in the
//! messages (plain JS objects, [`crate::message`]) and the [`View`] that crosses.
//!
//! Each analysis gets a fresh worker, which ends when it has sent the results (wasm
//! memory is never given back, so only ending the worker frees what a 1 GB analysis
//! used). A second, small worker then answers the source view's requests for lines from
//! the inputs' Blobs; it stays until the next results replace it. Cancel terminates the
//! running analysis and the results on screen stay as they were.
//!
//! One spare worker is started ahead ([`Client::warm`]: once the page has shown, and
//! again after each analysis), so an analysis or a source view does not wait for a
//! worker to load and compile the wasm (about 100 ms).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use yew::Callback;

use crate::message::{get, set};
use crate::view::{self, View};

/// Where the running analysis stands, for the progress bar.
#[derive(Clone, PartialEq, Debug)]
pub struct Progress {
    /// Bytes read so far (all inputs).
    pub done: u64,
    /// Bytes of all inputs.
    pub total: u64,
    /// What is happening, in words ("Reading big.log…", "Analyzing…").
    pub phase: String,
}

/// Lines sent by the worker: the source, the first line's 0-based number, the lines.
pub type LinesReply = (usize, u64, Vec<String>);

struct Job {
    worker: web_sys::Worker,
    _listeners: [EventListener; 2],
}

#[derive(Default)]
struct Inner {
    /// The worker analyzing now.
    running: Option<Job>,
    /// The worker whose results are on screen (answers requests for lines).
    current: Option<Job>,
    /// A started worker that has no work yet (see [`Client::warm`]).
    spare: Option<Job>,
    on_progress: Option<Callback<Progress>>,
    on_done: Option<Callback<Result<Rc<View>, String>>>,
    pending: HashMap<u32, Callback<LinesReply>>,
    next_req: u32,
}

/// Inputs from this size on are analyzed with digest workers beside the analysis worker
/// (`digest_worker.rs`): below it, starting them (a second copy of the wasm) costs
/// about what they save.
pub const WORKERS_FROM_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

/// How many workers analyze `bytes` of input (text): the page's `?workers=N` when given (tests,
/// benches), else one per core (`navigator.hardwareConcurrency`, at most
/// [`MAX_WORKERS`](crate::digest_worker::MAX_WORKERS)) from [`WORKERS_FROM_BYTES`] on,
/// else one.
fn workers(bytes: f64) -> usize {
    let Some(window) = web_sys::window() else { return 1 };
    let asked = window.location().search().ok().and_then(|q| {
        q.trim_start_matches('?').split('&').find_map(|kv| kv.strip_prefix("workers=")?.parse::<usize>().ok())
    });
    let cores = window.navigator().hardware_concurrency() as usize;
    let n = match asked {
        Some(n) => n,
        None if bytes >= WORKERS_FROM_BYTES => cores,
        None => 1,
    };
    n.clamp(1, crate::digest_worker::MAX_WORKERS)
}

/// A handle on the page's workers, shared by the app and the source view.
#[derive(Clone, Default)]
pub struct Client(Rc<RefCell<Inner>>);

impl PartialEq for Client {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Client {
    /// Starts analyzing `paste` and `files` in a fresh worker (stopping one that runs).
    pub fn analyze(
        &self,
        paste: &str,
        files: &[web_sys::File],
        on_progress: Callback<Progress>,
        on_done: Callback<Result<Rc<View>, String>>,
    ) {
        self.cancel();
        let job = match self.take_spare() {
            Ok(job) => job,
            Err(e) => {
                on_done.emit(Err(format!("the browser could not start the analysis worker: {e:?}")));
                return;
            }
        };
        let msg = js_sys::Object::new();
        set(&msg, "type", &"analyze".into());
        set(&msg, "paste", &paste.into());
        let list: js_sys::Array = files.iter().collect();
        set(&msg, "files", &list);
        // A gzip counts as the text it holds, about four times its size.
        let text = |f: &web_sys::File| if f.name().ends_with(".gz") { 4.0 * f.size() } else { f.size() };
        let bytes = paste.len() as f64 + files.iter().map(text).sum::<f64>();
        set(&msg, "workers", &(workers(bytes) as f64).into());
        if let Err(e) = job.worker.post_message(&msg) {
            on_done.emit(Err(format!("the browser could not send the files to the worker: {e:?}")));
            job.worker.terminate();
            return;
        }
        let mut inner = self.0.borrow_mut();
        inner.on_progress = Some(on_progress);
        inner.on_done = Some(on_done);
        inner.running = Some(job);
    }

    /// Starts the spare worker if there is none, so the next analysis or source view
    /// finds its wasm loaded. If it cannot start, the next [`Client::analyze`] says why.
    pub fn warm(&self) {
        if self.0.borrow().spare.is_none() {
            let job = self.spawn().ok();
            self.0.borrow_mut().spare = job;
        }
    }

    /// The spare worker, or a fresh one.
    fn take_spare(&self) -> Result<Job, JsValue> {
        let spare = self.0.borrow_mut().spare.take();
        spare.map_or_else(|| self.spawn(), Ok)
    }

    /// Stops the running analysis, if any; returns whether one was running.
    pub fn cancel(&self) -> bool {
        let mut inner = self.0.borrow_mut();
        inner.on_progress = None;
        inner.on_done = None;
        match inner.running.take() {
            Some(job) => {
                job.worker.terminate();
                true
            }
            None => false,
        }
    }

    /// Forgets the results on screen (their worker ends).
    pub fn clear(&self) {
        self.cancel();
        let mut inner = self.0.borrow_mut();
        if let Some(job) = inner.current.take() {
            job.worker.terminate();
        }
        inner.pending.clear();
    }

    /// Asks the worker of the results on screen for lines `from..to` (0-based) of `source`.
    pub fn lines(&self, source: usize, from: u64, to: u64, reply: Callback<LinesReply>) {
        let mut inner = self.0.borrow_mut();
        let req = inner.next_req;
        inner.next_req = req.wrapping_add(1);
        let Some(job) = inner.current.as_ref() else { return };
        let msg = js_sys::Object::new();
        set(&msg, "type", &"lines".into());
        set(&msg, "req", &req.into());
        set(&msg, "source", &(source as f64).into());
        set(&msg, "from", &(from as f64).into());
        set(&msg, "to", &(to as f64).into());
        if job.worker.post_message(&msg).is_ok() {
            inner.pending.insert(req, reply);
        }
    }

    fn spawn(&self) -> Result<Job, JsValue> {
        let opts = web_sys::WorkerOptions::new();
        opts.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options("./worker.js", &opts)?;
        let weak = Rc::downgrade(&self.0);
        let w = worker.clone();
        let on_message = EventListener::new(&worker, "message", move |e| {
            let (Some(inner), Some(e)) = (weak.upgrade(), e.dyn_ref::<web_sys::MessageEvent>()) else { return };
            Client(inner).message(&w, &e.data());
        });
        let weak = Rc::downgrade(&self.0);
        let w = worker.clone();
        let on_error = EventListener::new(&worker, "error", move |e| {
            let Some(inner) = weak.upgrade() else { return };
            let what = e
                .dyn_ref::<web_sys::ErrorEvent>()
                .map(|e| e.message())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "unknown error".into());
            Client(inner).failed(
                &w,
                format!(
                    "the analysis stopped in the browser ({what}); a very large input may not fit in this tab's memory"
                ),
            );
        });
        Ok(Job { worker, _listeners: [on_message, on_error] })
    }

    fn is_running(&self, worker: &web_sys::Worker) -> bool {
        self.0.borrow().running.as_ref().is_some_and(|j| &j.worker == worker)
    }

    fn failed(&self, worker: &web_sys::Worker, message: String) {
        {
            // A spare that failed to start is dropped; the next analysis starts its own
            // worker and reports that one's error.
            let mut inner = self.0.borrow_mut();
            if inner.spare.as_ref().is_some_and(|j| &j.worker == worker) {
                if let Some(job) = inner.spare.take() {
                    job.worker.terminate();
                }
            }
        }
        if !self.is_running(worker) {
            return;
        }
        let done = self.0.borrow_mut().on_done.take();
        self.cancel();
        if let Some(cb) = done {
            cb.emit(Err(message));
        }
    }

    fn message(&self, worker: &web_sys::Worker, data: &JsValue) {
        let kind = get(data, "type").as_string().unwrap_or_default();
        match kind.as_str() {
            "progress" if self.is_running(worker) => {
                let num = |k: &str| get(data, k).as_f64().unwrap_or(0.0).max(0.0) as u64;
                let p = Progress {
                    done: num("done"),
                    total: num("total"),
                    phase: get(data, "phase").as_string().unwrap_or_default(),
                };
                let cb = self.0.borrow().on_progress.clone();
                if let Some(cb) = cb {
                    cb.emit(p);
                }
            }
            "done" if self.is_running(worker) => {
                // Where the worker's time went (docs/performance.md; page-bench.mjs prints it).
                web_sys::console::debug_2(&"kubeleak: worker timings (ms)".into(), &get(data, "timings"));
                web_sys::console::debug_2(&"kubeleak: workers".into(), &get(data, "workers"));
                let (posted, exports) = (get(data, "view"), get(data, "exports"));
                // The analysis worker ends (its memory with it); a fresh one serves the
                // source view from the inputs' Blobs and line indexes.
                let lines_worker = self.take_spare().ok();
                if let Some(job) = &lines_worker {
                    let msg = js_sys::Object::new();
                    set(&msg, "type", &"load".into());
                    set(&msg, "sources", &get(data, "sources"));
                    let _ = job.worker.post_message(&msg);
                }
                let cb = {
                    let mut inner = self.0.borrow_mut();
                    if let Some(job) = inner.running.take() {
                        job.worker.terminate();
                    }
                    if let Some(old) = inner.current.take() {
                        old.worker.terminate();
                    }
                    inner.current = lines_worker;
                    inner.pending.clear();
                    inner.on_progress = None;
                    inner.on_done.take()
                };
                // The results are parsed in the next task and render in the one after, so
                // receiving, reading and rendering them are not one long freeze of the page
                // (issues 7 and 23); unless the page was cleared or another analysis
                // started meanwhile.
                if let Some(cb) = cb {
                    let weak = Rc::downgrade(&self.0);
                    let lines = self.0.borrow().current.as_ref().map(|j| j.worker.clone());
                    let show = move |result: Result<Rc<View>, String>| {
                        let Some(inner) = weak.upgrade() else { return };
                        let still = {
                            let inner = inner.borrow();
                            inner.running.is_none() && inner.current.as_ref().map(|j| j.worker.clone()) == lines
                        };
                        if still {
                            cb.emit(result);
                        }
                        // The next analysis's worker, started once these results show.
                        Client(inner).warm();
                    };
                    let later = |f: Box<dyn FnOnce()>| {
                        let run = wasm_bindgen::closure::Closure::once_into_js(f);
                        if let Some(w) = web_sys::window() {
                            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), 0);
                        }
                    };
                    later(Box::new(move || {
                        let result = view::from_js(posted)
                            .map(|mut v| {
                                v.posted_exports = Some(exports);
                                Rc::new(v)
                            })
                            .map_err(|e| format!("the worker's results could not be read: {e}"));
                        later(Box::new(move || show(result)));
                    }));
                }
            }
            "error" if self.is_running(worker) => {
                self.failed(worker, get(data, "message").as_string().unwrap_or_default());
            }
            "lines" => {
                let is_current = self.0.borrow().current.as_ref().is_some_and(|j| &j.worker == worker);
                let req = get(data, "req").as_f64().unwrap_or(-1.0);
                let cb =
                    if is_current && req >= 0.0 { self.0.borrow_mut().pending.remove(&(req as u32)) } else { None };
                if let Some(cb) = cb {
                    let source = get(data, "source").as_f64().unwrap_or(0.0) as usize;
                    let from = get(data, "from").as_f64().unwrap_or(0.0) as u64;
                    let lines = js_sys::Array::from(&get(data, "lines"))
                        .iter()
                        .map(|l| l.as_string().unwrap_or_default())
                        .collect();
                    cb.emit((source, from, lines));
                }
            }
            _ => {}
        }
    }
}
