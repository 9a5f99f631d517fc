//! The messages between the page and its workers are plain JS objects
//! (`{type: "progress", done, total, phase}`, …): reading a field of one, making one,
//! posting one from a worker, and what a JS error says. The page's side (`client.rs`)
//! and both workers (`worker.rs`, `lines_worker.rs`) use these, so they sit at the
//! bottom with `view.rs` and import nothing of the crate.

use wasm_bindgen::{JsCast, JsValue};

/// Field `key` of a message (`undefined` when it has none).
pub fn get(msg: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(msg, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Sets field `key` of a message.
pub fn set(o: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(o, &key.into(), value);
}

/// A message `{type: kind, …fields}`.
pub fn object(kind: &str, fields: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    set(&o, "type", &kind.into());
    for (k, v) in fields {
        set(&o, k, v);
    }
    o
}

/// Posts a message from this worker to the page (workers only).
pub fn post(msg: &js_sys::Object) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if let Err(e) = scope.post_message(msg) {
        web_sys::console::error_1(&e);
    }
}

/// Posts a message from this worker to the page, handing over `buffers` (`ArrayBuffer`s
/// inside it) instead of copying them (workers only).
pub fn post_transfer(msg: &js_sys::Object, buffers: &[JsValue]) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let transfer: js_sys::Array = buffers.iter().collect();
    if let Err(e) = scope.post_message_with_transfer(msg, &transfer) {
        web_sys::console::error_1(&e);
    }
}

/// What a JS error says, for a message to the user.
pub fn js_error(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the browser could not read it".into())
}
