//! The streaming analysis behind four plain exports (no wasm-bindgen, so node can load
//! the module with no glue): `buf(len)` gives a buffer in wasm memory, `begin()`,
//! `feed(ptr, len)` for each slice of the file, `finish()` ends and returns the length
//! of the report's JSON. Function names stay in the module, so `--cpu-prof` shows them.
//! `begin_reading()` instead of `begin()` measures the page's analysis worker alone when
//! digest workers take the log streams: the batches go to a port that drops them, and
//! `finish()` stops after `Analyzer::close` (returns 0).
use kubeleak_analysis as analysis;
use std::cell::RefCell;

thread_local! {
    static RUN: RefCell<Option<analysis::Analyzer>> = const { RefCell::new(None) };
}

/// A buffer of `len` bytes in wasm memory, kept for the life of the module.
#[no_mangle]
pub extern "C" fn buf(len: usize) -> *mut u8 {
    Box::leak(vec![0u8; len].into_boxed_slice()).as_mut_ptr()
}

thread_local! {
    static READING_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Drops every message: the digest workers' share of the work is not done.
struct Nowhere;

impl analysis::digest_workers::DigestPort for Nowhere {
    fn post(&self, _: u64, _: Vec<u8>) {}
}

fn start(limits: analysis::input::Limits) {
    let mut a = analysis::Analyzer::new(limits);
    a.begin("bundle.txt");
    RUN.with(|r| *r.borrow_mut() = Some(a));
}

#[no_mangle]
pub extern "C" fn begin() {
    start(analysis::input::Limits::default());
}

#[no_mangle]
pub extern "C" fn begin_reading() {
    analysis::digest_workers::set_port(Some(std::rc::Rc::new(Nowhere)));
    READING_ONLY.with(|r| r.set(true));
    start(analysis::input::Limits { digest_threads: true, ..Default::default() });
}

/// # Safety
/// `p..p + len` must be inside a buffer from [`buf`].
#[no_mangle]
pub unsafe extern "C" fn feed(p: *const u8, len: usize) {
    // SAFETY: the caller passes a slice of a buffer from `buf`.
    let bytes = unsafe { std::slice::from_raw_parts(p, len) };
    RUN.with(|r| {
        if let Some(a) = r.borrow_mut().as_mut() {
            a.feed(bytes);
        }
    });
}

#[no_mangle]
pub extern "C" fn finish() -> usize {
    RUN.with(|r| r.borrow_mut().take()).map_or(0, |mut a| {
        if READING_ONLY.with(|r| r.get()) {
            a.close();
            return 0;
        }
        a.end();
        analysis::report::to_json(&a.finish()).len()
    })
}
