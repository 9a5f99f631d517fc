//! The streaming analysis behind four plain exports (no wasm-bindgen, so node can load
//! the module with no glue): `buf(len)` gives a buffer in wasm memory, `begin()`,
//! `feed(ptr, len)` for each slice of the file, `finish()` ends and returns the length
//! of the report's JSON. Function names stay in the module, so `--cpu-prof` shows them.
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

#[no_mangle]
pub extern "C" fn begin() {
    let mut a = analysis::Analyzer::new(analysis::input::Limits::default());
    a.begin("bundle.txt");
    RUN.with(|r| *r.borrow_mut() = Some(a));
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
        a.end();
        analysis::report::to_json(&a.finish()).len()
    })
}
