// The browser side of issue 7's benchmark (not a test: it prints numbers and asserts
// nothing about time). Run after `trunk build --release`:
//
//   node tests/e2e/bench/page-bench.mjs [--bundle FILE] [--kubeleak PATH] [--loads N] [--workers N]
//
// Prints:
// - page weight: gzip -9 of the release wasm + JS (the budget is 1 MB, issue 21);
// - first paint / first contentful paint of the empty page from 127.0.0.1 (median of
//   N fresh loads, Performance API), budget 500 ms;
// - with --bundle: the in-page time to analyze that file in headless Chromium, timed in
//   the page from the file input's change event to the summary in the DOM (and, beside
//   it, when Playwright saw the summary), the worker's time per phase, the longest
//   main-thread stall (10 ms timer) and long tasks (PerformanceObserver `longtask`) from
//   the file chosen to 3 s after the summary, and, with --kubeleak
//   (a release binary), the native `kubeleak analyze --format json` time of the same
//   file, with and without `--single-thread`, and the ratios (the target: at most 2× native
//   on one thread, issue 21).
// KUBELEAK_DIST=DIR benches another build of the page (default: dist/).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { serveDist, launch, dist, workerTimings, watchMainThread } from '../harness.mjs';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const bundle = opt('--bundle');
const kubeleak = opt('--kubeleak');
const loads = Number(opt('--loads') ?? 5);
// --workers N: the page's `?workers=N` (1: the analysis worker alone); default: the
// page's own choice (one per core from 16 MiB on).
const workers = opt('--workers');

const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;
const weight = fs
  .readdirSync(dist)
  .filter((f) => f.endsWith('.wasm') || f.endsWith('.js'))
  .map((f) => [f, gz(f)]);
const total = weight.reduce((a, [, n]) => a + n, 0);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const server = await serveDist();
const rows = [];
try {
  for (const [f, n] of weight) rows.push([`gzip -9 ${f}`, `${n} B`]);
  rows.push(['page weight (wasm + JS, gzip -9)', `${total} B (${(total / 1000).toFixed(1)} KB, budget 1000 KB)`]);

  const paints = { fp: [], fcp: [], ready: [] };
  for (let i = 0; i < loads; i++) {
    const browser = await launch(); // fresh profile: nothing cached
    try {
      const { page } = browser;
      const t0 = Date.now();
      await page.goto(server.url);
      await page.locator('#analyze').waitFor();
      paints.ready.push(Date.now() - t0);
      // The paint entries arrive after the frame is shown, which may be after the
      // button is in the DOM: wait for them (at most 5 s).
      const p = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const got = {};
            const done = () => resolve(got);
            new PerformanceObserver((list) => {
              for (const e of list.getEntries()) got[e.name] = e.startTime;
              if (got['first-contentful-paint'] !== undefined && got['first-paint'] !== undefined) done();
            }).observe({ type: 'paint', buffered: true });
            setTimeout(done, 5000);
          }),
      );
      paints.fp.push(p['first-paint'] ?? NaN);
      paints.fcp.push(p['first-contentful-paint'] ?? NaN);
    } finally {
      await browser.close();
    }
  }
  rows.push([`first paint, median of ${loads}`, `${median(paints.fp).toFixed(0)} ms (budget 500 ms)`]);
  rows.push([`first contentful paint, median of ${loads}`, `${median(paints.fcp).toFixed(0)} ms`]);
  rows.push([`page usable (Analyze button), median of ${loads}`, `${median(paints.ready)} ms`]);

  if (bundle) {
    const size = fs.statSync(bundle).size;
    let inPage = NaN;
    const browser = await launch();
    try {
      const { page } = browser;
      await page.goto(workers ? `${server.url}?workers=${workers}` : server.url);
      await page.locator('#analyze').waitFor();
      const watch = await watchMainThread(page);
      // Timed in the page: from the file input's change event to the summary in the DOM
      // (a MutationObserver). Playwright's own wait returns later, by how long the page
      // then spends drawing charts (a few hundred ms at 200 MB): printed too.
      await page.evaluate(() => {
        document.querySelector('#files').addEventListener('change', () => { window.__picked = performance.now(); }, { capture: true });
        new MutationObserver((_, mo) => {
          if (document.getElementById('summary')) {
            window.__shown = performance.now();
            mo.disconnect();
          }
        }).observe(document.body, { childList: true, subtree: true });
      });
      const phases = workerTimings(page);
      const t0 = Date.now();
      await page.locator('#files').setInputFiles(bundle);
      await page.locator('#summary').waitFor({ timeout: 30 * 60 * 1000 });
      const seen = Date.now() - t0;
      // The results render in batches after the summary shows: 3 s more of them.
      await page.waitForTimeout(3000);
      const { gap, long, longest } = await watch.stop();
      const ms = await page.evaluate(() => Math.round(window.__shown - window.__picked));
      rows.push([`in-page analysis of ${path.basename(bundle)} (${(size / 1e6).toFixed(0)} MB)`, `${ms} ms (${(size / 1e6 / (ms / 1000)).toFixed(1)} MB/s), file chosen → summary in the page`]);
      rows.push(['the same, as Playwright saw it', `${seen} ms`]);
      inPage = ms;
      for (const [phase, t] of Object.entries(phases.get() ?? {})) rows.push([`  worker: ${phase}`, `${t} ms`]);
      rows.push(['longest main-thread stall meanwhile (10 ms timer)', `${gap.toFixed(0)} ms (until 3 s after the summary)`]);
      rows.push(['long tasks (> 50 ms), longest', `${long.length}, ${longest.toFixed(0)} ms (the same span)`]);
    } finally {
      await browser.close();
    }
    // Native after the browser has closed (it goes on drawing charts for a while, which
    // would slow the native run down on a small machine).
    if (kubeleak) {
      // Native both ways: by default (a second thread digests the logs) and with
      // --single-thread (one thread, like the page's worker).
      const native = (extra) => {
        const n0 = Date.now();
        const r = spawnSync(kubeleak, ['analyze', ...extra, bundle, '--format', 'json'], { stdio: ['ignore', 'ignore', 'inherit'] });
        if (r.status !== 0 && r.status !== 1) throw new Error(`kubeleak exited ${r.status}`);
        return Date.now() - n0;
      };
      const two = native([]);
      const one = native(['--single-thread']);
      rows.push(['native kubeleak analyze --format json', `${two} ms`]);
      rows.push(['native, --single-thread', `${one} ms`]);
      rows.push(['browser / native', `${(inPage / two).toFixed(2)}×`]);
      rows.push(['browser / native --single-thread', `${(inPage / one).toFixed(2)}× (target ≤ 2×)`]);
    }
  }
} finally {
  await server.close();
}
const w = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
