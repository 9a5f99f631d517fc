// Issue 21's question for the page: would the browser's own inflater,
// `DecompressionStream('gzip')`, be faster than the wasm one (flate2's miniz_oxide in
// the analysis), and does it read a gzip of several members? Not a test: it prints.
//
//   node tests/e2e/bench/gunzip-bench.mjs FILE.gz [--runs N]
//
// Prints the time to inflate FILE.gz in headless Chromium, from a File (as the page's
// worker gets it), reading every chunk; and what it does with two members (`cat a.gz
// b.gz`): how many bytes come out, or the error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { serveDist, launch } from '../harness.mjs';

const args = process.argv.slice(2);
const file = args[0];
const runs = Number(args[args.indexOf('--runs') + 1] || 3);
if (!file) throw new Error('usage: gunzip-bench.mjs FILE.gz [--runs N]');

const two = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kubeleak-gz-')), 'two-members.gz');
fs.writeFileSync(two, Buffer.concat([zlib.gzipSync('first member\n'), zlib.gzipSync('second member\n')]));

const server = await serveDist();
const browser = await launch();
try {
  const { page } = browser;
  await page.goto(server.url);
  await page.evaluate(() => {
    const i = document.createElement('input');
    i.type = 'file';
    i.id = '__gz';
    i.hidden = true;
    document.documentElement.append(i); // outside the body, which the page renders
  });
  const inflate = () =>
    page.evaluate(async () => {
      const f = document.getElementById('__gz').files[0];
      const t0 = performance.now();
      let n = 0;
      try {
        const r = f.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
        for (;;) {
          const { done, value } = await r.read();
          if (done) break;
          n += value.length;
        }
        return { ms: Math.round(performance.now() - t0), bytes: n };
      } catch (e) {
        return { ms: Math.round(performance.now() - t0), bytes: n, error: String(e) };
      }
    });
  await page.locator('#__gz').setInputFiles(file);
  for (let i = 0; i < runs; i++) {
    const r = await inflate();
    console.log(`DecompressionStream('gzip') ${path.basename(file)}: ${r.ms} ms, ${r.bytes} bytes${r.error ? ` (${r.error})` : ''}`);
  }
  await page.locator('#__gz').setInputFiles(two);
  const r = await inflate();
  console.log(`two members (${'first member\nsecond member\n'.length} bytes of text): ${r.bytes} bytes out${r.error ? `, error: ${r.error}` : ''}`);
} finally {
  await browser.close();
  await server.close();
}
