//! Entry point of the wasm (built by Trunk from `index.html`): renders the page, or
//! nothing when started by `web/worker.js` in a Web Worker.

fn main() {
    kubeleak_web::start();
}
