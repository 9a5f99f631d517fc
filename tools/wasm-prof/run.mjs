// node [--cpu-prof --cpu-prof-dir=prof] run.mjs BUNDLE [--reading] [--runs N]
// Analyzes BUNDLE in the wasm build (8 MiB slices, as the page's worker reads a File)
// and prints the time; with --cpu-prof, `node hot.mjs prof` lists where it went.
// --reading: only the analysis worker's share when digest workers take the log streams
// (their batches are dropped). --runs N: N analyses in one module (the first pays for
// V8's compilation and fresh memory; later ones are the steady state).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const wasm = fs.readFileSync(path.join(here, 'target/wasm32-unknown-unknown/release/wasm_prof.wasm'));
// Dependencies bring wasm-bindgen imports (jiff's clock, for one) that the analysis
// never calls: each becomes a function that throws if it ever is.
const imports = new Proxy({}, {
  get: (_, mod) => new Proxy({}, { get: (_, name) => () => { throw new Error(`import ${String(mod)}.${String(name)} called`); } }),
});
const { instance } = await WebAssembly.instantiate(wasm, imports);
const e = instance.exports;
const slice = 8 << 20;
const p = e.buf(slice);
const reading = process.argv.includes('--reading');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 1;
for (let run = 0; run < runs; run++) {
  const fd = fs.openSync(process.argv[2], 'r');
  const t0 = performance.now();
  reading ? e.begin_reading() : e.begin();
  for (;;) {
    const n = fs.readSync(fd, new Uint8Array(e.memory.buffer, p, slice), 0, slice, null);
    if (n === 0) break;
    e.feed(p, n);
  }
  const len = e.finish();
  fs.closeSync(fd);
  const what = reading ? 'reading worker only' : `report ${len} bytes of JSON`;
  console.log(`${what}, ${(performance.now() - t0).toFixed(0)} ms`);
}
