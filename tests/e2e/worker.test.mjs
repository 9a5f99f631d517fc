// The analysis runs in a Web Worker: the page keeps painting and taking input while a
// 120 MB file is analyzed, Cancel terminates the worker, the analysis worker ends after
// sending its results, the source view shows the right lines of the big file (read back
// from the file by a small worker), and "Where in the code" lists the growing
// tracemalloc sites of a paste, linked from the finding.
//
// Opt-in bench: KUBELEAK_BENCH_GB=1 node --test worker.test.mjs analyzes a 1 GB file
// (KUBELEAK_BENCH_GB=0.5 for 512 MB…) and prints the in-page time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, launch, screenshot, root, workerTimings } from './harness.mjs';

const SKELETON = fs.readFileSync(path.join(root, 'tests', 'fixtures', 'skeleton-top.txt'), 'utf8');
const HEADER = `${SKELETON}$ kubectl logs -n shop worker-7d9f8b6c5-x2x9k --timestamps\n`;
const SIZE = 120 * 1024 * 1024;
let server;
let browser;
let tmp;
let big;
let bigLines;

/** The n-th log line (0-based) of the generated capture. */
function logLine(n) {
  const s = String(n % 60).padStart(2, '0');
  const m = String(Math.floor(n / 60) % 60).padStart(2, '0');
  const h = String(Math.floor(n / 3600) % 24).padStart(2, '0');
  return `2026-11-24T${h}:${m}:${s}.000000123Z 2026-11-24 ${h}:${m}:${s},000 INFO worker.jobs: processed batch ${n} of 50 images in 1.8s (queue=${n % 97})`;
}

/** Writes the skeleton's `kubectl top` twice, then a `kubectl logs` of about `size` bytes. Returns the line count. */
function writeBigCapture(file, size) {
  const fd = fs.openSync(file, 'w');
  let written = fs.writeSync(fd, HEADER);
  let n = 0;
  while (written < size) {
    const lines = [];
    for (let i = 0; i < 20000; i++, n++) lines.push(`${logLine(n)}\n`);
    written += fs.writeSync(fd, lines.join(''));
  }
  fs.closeSync(fd);
  return HEADER.split('\n').length - 1 + n;
}

before(async () => {
  server = await serveDist();
  browser = await launch();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeleak-worker-'));
  big = path.join(tmp, 'big-worker-log.txt');
  bigLines = writeBigCapture(big, SIZE);
});
after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Scrolls the source view so that 1-based line `n` of a source of `lines` lines is in view
 * (a source taller than the browser allows scrolls proportionally, see source_view.rs). */
async function scrollToLine(page, n, lines) {
  await page.locator('#source').evaluate((el, [line, total]) => {
    const full = total * 18;
    const h = el.querySelector('.spacer').offsetHeight;
    const ratio = full <= h + 1 ? 1 : (full - 432) / (h - 432);
    el.scrollTop = Math.max(0, (line - 3) * 18) / ratio;
    el.dispatchEvent(new Event('scroll'));
  }, [n, lines]);
}

async function fresh(before = () => {}) {
  const { page } = browser;
  before(page);
  await page.goto(server.url);
  await page.locator('#analyze').waitFor();
  return page;
}

test('the page paints and takes input while a 120 MB file is analyzed; its lines come from the worker', { timeout: 240000 }, async (t) => {
  const page = await fresh();
  const workers = [];
  page.on('worker', (w) => workers.push(w.url()));
  const phases = workerTimings(page);
  // A requestAnimationFrame counter: frames and the longest gap between two frames.
  await page.evaluate(() => {
    window.__frames = 0;
    window.__gap = 0;
    let last = performance.now();
    const tick = (now) => {
      window.__frames += 1;
      window.__gap = Math.max(window.__gap, now - last);
      last = now;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const started = Date.now();
  await page.locator('#files').setInputFiles(big);
  await page.locator('#progress').waitFor({ timeout: 10000 });
  // Typing into the text area while the worker is busy shows at once.
  await page.waitForFunction(() => document.querySelector('#progress-text')?.innerText.startsWith('Analyzing'), null, { timeout: 120000 });
  const typed = Date.now();
  await page.locator('#input').fill('typed while analyzing');
  assert.equal(await page.locator('#input').inputValue(), 'typed while analyzing');
  const typing = Date.now() - typed;
  const stillAnalyzing = await page.locator('#progress').count();
  await page.locator('#summary').waitFor({ timeout: 200000 });
  const took = Date.now() - started;
  const { frames, gap } = await page.evaluate(() => {
    window.__stop = true;
    return { frames: window.__frames, gap: window.__gap };
  });
  t.diagnostic(`analysis of ${SIZE >> 20} MB: ${took} ms; ${frames} frames painted, longest gap ${Math.round(gap)} ms; typing took ${typing} ms (still analyzing: ${stillAnalyzing === 1})`);
  assert.ok(workers.some((u) => u.endsWith('/worker.js')), `a module worker ran: ${workers}`);
  assert.ok(gap < 1000, `the page painted throughout (longest gap ${gap} ms)`);
  assert.ok(frames > took / 1000, `frames kept coming: ${frames} in ${took} ms`);
  assert.ok(typing < 2000, `typing answered in ${typing} ms`);
  phases.stop();
  const timings = phases.get();
  assert.deepEqual(
    Object.keys(timings ?? {}),
    ['waiting for slices', 'copying into wasm', 'line index, progress', 'analysis', 'waiting for digests', 'detectors', 'reports', 'view'],
  );
  assert.ok(Object.values(timings).every((ms) => Number.isFinite(ms) && ms >= 0), JSON.stringify(timings));
  assert.ok(timings.analysis > 0 && timings.analysis <= took, `the analysis took ${timings.analysis} of ${took} ms`);
  t.diagnostic(`worker timings (ms): ${JSON.stringify(timings)}`);

  // The source view: the whole file's line count, and any line on demand.
  assert.match(await page.locator('.tabs').innerText(), new RegExp(`big-worker-log\\.txt \\(${bigLines} lines\\)`));
  const header = HEADER.split('\n').length - 1;
  for (const n of [1, 10, 777777, bigLines]) {
    await scrollToLine(page, n, bigLines);
    const line = page.locator(`#source .line[data-line="${n}"] .text`);
    await line.waitFor({ timeout: 15000 });
    const want = n <= header ? HEADER.split('\n')[n - 1] : logLine(n - header - 1);
    assert.equal(await line.innerText(), want, `line ${n}`);
  }
  assert.ok((await page.locator('#source .line').count()) < 200, 'only the visible lines are in the DOM');
  await screenshot(page, 'worker-big-source');
});

test('Cancel terminates the worker and a new analysis starts a fresh one', { timeout: 120000 }, async () => {
  const closed = [];
  const started = [];
  const page = await fresh((p) =>
    p.on('worker', (w) => {
      started.push(w);
      w.on('close', () => closed.push(w));
    }),
  );
  // The page starts the first analysis's worker ahead, once it has shown.
  while (started.length === 0) await page.waitForTimeout(20);
  await page.locator('#files').setInputFiles(big);
  await page.locator('#cancel').waitFor({ timeout: 10000 });
  await page.waitForFunction(() => Number(document.querySelector('#progress')?.value) > 0, null, { timeout: 20000 });
  await page.locator('#cancel').click();
  await page.locator('#progress').waitFor({ state: 'detached', timeout: 5000 });
  assert.match(await page.locator('#note').innerText(), /Cancelled/);
  // Playwright sees the worker end, and with it the digest workers it had started for
  // the big file (one per core beyond the first: digest_worker.rs).
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const digest = Math.min(4, cores) - 1;
  const deadline = Date.now() + 10000;
  while (closed.length < 1 + digest && Date.now() < deadline) await page.waitForTimeout(50);
  assert.equal(closed.length, 1 + digest, 'the worker and its digest workers were terminated');
  assert.ok(closed.includes(started[0]), 'the analysis worker ended');
  assert.equal(await page.locator('#results').count(), 0);
  // The next analysis runs in a new worker, which ends once it has sent the results
  // (freeing its memory); a third, small one serves the source view.
  await page.locator('#input').fill(SKELETON);
  await page.locator('#analyze').click();
  await page.locator('#pods tbody tr').first().waitFor();
  assert.equal(await page.locator('#pods td.pod').count(), 2);
  await page.locator('#source .line[data-line="1"]').waitFor();
  const until = Date.now() + 10000;
  while ((closed.length < 2 + digest || started.length < 4 + digest) && Date.now() < until) await page.waitForTimeout(50);
  assert.equal(started.length, 4 + digest, 'cancelled analysis (started ahead) and its digest workers, analysis, lines, the next one started ahead');
  assert.deepEqual(new Set(closed), new Set(started.slice(0, 2 + digest)), 'both analysis workers ended');
  // The worker started ahead takes the next analysis: no new worker starts for it.
  await page.locator('#analyze').click();
  const again = Date.now() + 10000;
  while (closed.length < 4 + digest && Date.now() < again) await page.waitForTimeout(50);
  assert.deepEqual(
    closed.slice(2 + digest).map((w) => started.indexOf(w) - digest).sort(),
    [2, 3],
    'the old lines worker and the analysis worker (the one started ahead) ended',
  );
});

const TRACEMALLOC = `$ kubectl logs -n shop worker-1
2026-11-24 10:00:00 INFO tracemalloc top 3
/app/thumbs_cache.py:41: size=20 MiB, count=1000, average=20 KiB
/app/handlers.py:12: size=2 MiB, count=100, average=20 KiB
2026-11-24 10:30:00 INFO tracemalloc top 3
/app/thumbs_cache.py:41: size=310 MiB, count=71332, average=4 KiB
/app/handlers.py:12: size=2 MiB, count=101, average=20 KiB
`;

test('"Where in the code" lists the growing tracemalloc site, linked from its finding', async () => {
  const page = await fresh();
  await page.locator('#input').fill(TRACEMALLOC);
  await page.locator('#analyze').click();
  const section = page.locator('#code');
  await section.waitFor();
  const first = page.locator('#code-sites tbody tr').first();
  assert.match(await first.innerText(), /\/app\/thumbs_cache\.py:41\s+\+290Mi\s+310Mi\s+71332\s+shop\/worker-1/);
  assert.equal(await first.getAttribute('id'), 'site-0');
  const link = page.locator('#findings a.site-link[href="#site-0"]').first();
  assert.equal(await link.innerText(), '/app/thumbs_cache.py:41');
  await link.click();
  assert.equal(await page.evaluate(() => location.hash), '#site-0');
  // "Printed at" opens the line in the source view.
  await first.locator('button.link').click();
  const selected = page.locator('#source .line.selected');
  await selected.waitFor();
  assert.equal(await selected.getAttribute('data-line'), '6');
  await screenshot(page, 'where-in-the-code');
});

const benchGb = Number(process.env.KUBELEAK_BENCH_GB ?? 0);
test(`bench: a ${benchGb || 1} GB file (KUBELEAK_BENCH_GB)`, { skip: !benchGb && 'set KUBELEAK_BENCH_GB=1 to run', timeout: 1800000 }, async (t) => {
  const file = path.join(tmp, 'bench.txt');
  const size = Math.round(benchGb * 1024 * 1024 * 1024);
  const lines = writeBigCapture(file, size);
  const page = await fresh();
  let crashed = null;
  page.on('crash', () => { crashed = 'page crashed'; });
  await page.evaluate(() => { window.__t0 = performance.now(); });
  await page.locator('#files').setInputFiles(file);
  const outcome = await Promise.race([
    page.locator('#summary').waitFor({ timeout: 1700000 }).then(() => 'done'),
    page.locator('#note').waitFor({ timeout: 1700000 }).then(async () => `note: ${await page.locator('#note').innerText()}`),
  ]);
  const ms = await page.evaluate(() => performance.now() - window.__t0);
  t.diagnostic(`${size} bytes, ${lines} lines: ${outcome} after ${Math.round(ms)} ms in the page${crashed ? ` (${crashed})` : ''}`);
  assert.equal(outcome, 'done');
  assert.match(await page.locator('.tabs').innerText(), new RegExp(`bench\\.txt \\(${lines} lines\\)`));
  // Its last line, read back from the file by the worker.
  await scrollToLine(page, lines, lines);
  const last = page.locator(`#source .line[data-line="${lines}"] .text`);
  await last.waitFor({ timeout: 60000 });
  assert.equal(await last.innerText(), logLine(lines - (HEADER.split('\n').length - 1) - 1));
  fs.rmSync(file, { force: true });
});
