// Starts the wasm app. A separate file (not trunk's inline loader) so the page's CSP
// can forbid inline scripts: script-src 'self'.
import init from './kubeleak-web.js';

await init({ module_or_path: new URL('./kubeleak-web_bg.wasm', import.meta.url) });
