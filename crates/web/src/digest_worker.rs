//! The digest workers: the analysis worker starts them (nested workers, the same
//! `worker.js` and wasm) when the page asks for more than one worker, and posts each log
//! stream's batches of entries to one of them; they digest (tool readers, template
//! miner, line rules: about 40 % of the work) while the analysis worker goes on reading,
//! as the digest threads do natively (issue 21). The analysis itself knows nothing of
//! workers: it posts bytes through a [`DigestPort`] and takes the answers back through
//! [`digest_workers::arrived`] (`crates/analysis/src/digest_sink.rs`).
//!
//! Messages (plain JS objects, their buffers transferred):
//! - to a digest worker: `{type: "digest", bytes}` (a batch, a stream's end, or a stream
//!   to forget), handled by [`digest_message`];
//! - back: `{type: "digest-reply", bytes}` (a batch digested, or a stream's digest).
//!
//! A worker cannot block, so the analysis worker waits with `await` ([`until`]): after
//! each slice while too many batches are in flight ([`MAX_IN_FLIGHT`]: memory stays
//! bounded), and after each input until its digests have arrived. If a digest worker
//! fails, the waits end, the streams it had lose their digests, and the page says so.

use std::cell::RefCell;
use std::rc::Rc;

use kubeleak_analysis::digest_workers::{self, DigestPort, Digester};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::message::{get, js_error, object, post_transfer};

/// Batches posted and not yet digested before the analysis worker waits (each at most
/// 512 KiB of text).
pub const MAX_IN_FLIGHT: usize = 32;

/// Most workers of one analysis (the analysis worker and its digest workers).
pub const MAX_WORKERS: usize = 4;

/// The digest workers of the running analysis.
struct Workers {
    workers: Vec<web_sys::Worker>,
    /// Kept alive as long as the workers: their `onmessage` and `onerror`.
    _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl DigestPort for Workers {
    fn post(&self, stream: u64, message: Vec<u8>) {
        let n = self.workers.len().max(1) as u64;
        let Some(w) = self.workers.get((stream % n) as usize) else { return };
        let bytes = js_sys::Uint8Array::from(&message[..]);
        let transfer = js_sys::Array::of1(&bytes.buffer());
        if let Err(e) = w.post_message_with_transfer(&object("digest", &[("bytes", bytes.into())]), &transfer) {
            fail(format!("a batch could not be posted to a digest worker: {}", js_error(&e)));
        }
    }
}

#[derive(Default)]
struct State {
    workers: Option<Rc<Workers>>,
    /// Why a digest worker failed, once one has.
    failure: Option<String>,
    /// Resolves the promise [`until`] waits on.
    wake: Option<js_sys::Function>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    /// The digest worker's side.
    static DIGESTER: RefCell<Digester> = RefCell::new(Digester::default());
}

fn wake() {
    if let Some(f) = STATE.with(|s| s.borrow_mut().wake.take()) {
        let _ = f.call0(&JsValue::UNDEFINED);
    }
}

fn fail(why: String) {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        if s.failure.is_none() {
            s.failure = Some(why);
        }
    });
    wake();
}

/// Starts `n` digest workers and sends the log streams of the analyses that follow
/// (in this worker) to them.
pub fn start(n: usize) -> Result<(), JsValue> {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    // This worker's own script: the digest workers run the same glue and wasm.
    let url = scope.location().href();
    let opts = web_sys::WorkerOptions::new();
    opts.set_type(web_sys::WorkerType::Module);
    let mut workers = Vec::new();
    let mut handlers = Vec::new();
    for _ in 0..n {
        let w = web_sys::Worker::new_with_options(&url, &opts)?;
        let on_message = Closure::<dyn FnMut(JsValue)>::new(|e: JsValue| {
            let data = get(&e, "data");
            if get(&data, "type").as_string().as_deref() == Some("digest-reply") {
                let bytes = js_sys::Uint8Array::new(&get(&data, "bytes")).to_vec();
                if let Err(why) = digest_workers::arrived(&bytes) {
                    fail(why);
                }
            }
            wake();
        });
        let on_error = Closure::<dyn FnMut(JsValue)>::new(|e: JsValue| {
            let why = e.dyn_ref::<web_sys::ErrorEvent>().map(|e| e.message()).unwrap_or_default();
            fail(format!("a digest worker stopped ({why})"));
        });
        w.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        w.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        handlers.push(on_message);
        handlers.push(on_error);
        workers.push(w);
    }
    let workers = Rc::new(Workers { workers, _handlers: handlers });
    digest_workers::set_port(Some(workers.clone()));
    STATE.with(|s| *s.borrow_mut() = State { workers: Some(workers), ..State::default() });
    Ok(())
}

/// Whether digest workers are running (the analysis then asks for them).
pub fn active() -> bool {
    STATE.with(|s| s.borrow().workers.is_some())
}

/// Ends the digest workers; returns what the page should be told: why one failed, and
/// how many log streams lost their digest.
pub fn stop() -> Option<String> {
    let state = STATE.with(|s| std::mem::take(&mut *s.borrow_mut()));
    for w in state.workers.iter().flat_map(|w| w.workers.iter()) {
        w.terminate();
    }
    let lost = digest_workers::lost();
    digest_workers::set_port(None);
    let why = state.failure?;
    Some(format!("{why}: {lost} log stream(s) were left out of the analysis"))
}

/// Waits (yielding to this worker's event loop) until `done()` holds or a digest worker
/// failed; at once when there are no digest workers.
pub async fn until(done: impl Fn() -> bool) {
    loop {
        let stopped = STATE.with(|s| {
            let s = s.borrow();
            s.failure.is_some() || s.workers.is_none()
        });
        if stopped || done() {
            return;
        }
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            STATE.with(|s| s.borrow_mut().wake = Some(resolve));
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}

/// Until the batches in flight are few enough to read on.
pub async fn until_few_in_flight() {
    until(|| digest_workers::in_flight() <= MAX_IN_FLIGHT).await
}

/// Until every digest asked for has arrived.
pub async fn until_digests_arrived() {
    until(|| digest_workers::awaited() == 0).await
}

/// A digest worker's message handler: digests, and posts the answer back.
pub fn digest_message(msg: &JsValue) {
    let bytes = js_sys::Uint8Array::new(&get(msg, "bytes")).to_vec();
    if let Some(reply) = DIGESTER.with(|d| d.borrow_mut().handle(&bytes)) {
        let bytes = js_sys::Uint8Array::from(&reply[..]);
        let buffer = bytes.buffer().into();
        post_transfer(&object("digest-reply", &[("bytes", bytes.into())]), &[buffer]);
    }
}
