// The analysis worker: the same glue and wasm as the page (the browser downloads them
// once); the wasm's `main` renders nothing here (no window). Every message goes to the
// wasm's `worker_message` (crates/web/src/worker.rs) once it is ready.
import init, { worker_message } from './kubeleak-web.js';

const ready = init({ module_or_path: new URL('./kubeleak-web_bg.wasm', import.meta.url) });
self.onmessage = async (e) => {
  await ready;
  worker_message(e.data);
};
