// A large input (60 MB written by the test): the file is read in slices with a progress
// bar, the page keeps handling events while it reads, the analysis completes, Cancel
// stops a read and leaves the page usable, and nothing but the page's own assets is
// requested.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, launch, screenshot, root } from './harness.mjs';

const SKELETON = fs.readFileSync(path.join(root, 'tests', 'fixtures', 'skeleton-top.txt'), 'utf8');
const SIZE = 60 * 1024 * 1024;
let server;
let browser;
let tmp;
let big;

/** Writes `kubectl top` twice, then one long `kubectl logs` of about `size` bytes. */
function writeBigCapture(file, size) {
  const fd = fs.openSync(file, 'w');
  let written = fs.writeSync(fd, `${SKELETON}$ kubectl logs -n shop worker-7d9f8b6c5-x2x9k --timestamps\n`);
  let n = 0;
  while (written < size) {
    const lines = [];
    for (let i = 0; i < 10000; i++, n++) {
      const s = String(n % 60).padStart(2, '0');
      const m = String(Math.floor(n / 60) % 60).padStart(2, '0');
      lines.push(`2026-11-24T08:${m}:${s}.000000123Z 2026-11-24 08:${m}:${s},000 INFO worker.jobs: processed batch ${n} of 50 images in 1.8s\n`);
    }
    written += fs.writeSync(fd, lines.join(''));
  }
  fs.closeSync(fd);
  return written;
}

before(async () => {
  server = await serveDist();
  browser = await launch();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeleak-large-'));
  big = path.join(tmp, 'big-capture.txt');
  writeBigCapture(big, SIZE);
});
after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function fresh() {
  const { page } = browser;
  await page.goto(server.url);
  await page.locator('#analyze').waitFor();
  return page;
}

test('a 60 MB file shows progress, stays responsive while read, and completes', { timeout: 180000 }, async (t) => {
  const { page } = browser;
  const requests = [];
  const onRequest = (r) => requests.push(r.url());
  page.on('request', onRequest);
  try {
    await fresh();
    // In the page: drag over / leave the window every few ms (the app draws a drag
    // outline), and note each time the outline is drawn while the bar shows reading.
    await page.evaluate(() => {
      window.__seen = [];
      window.__gap = { reading: 0, analyzing: 0 };
      let over = false;
      let last = performance.now();
      let phase = null;
      window.__timer = setInterval(() => {
        // The longest wait of this timer: how long the main thread was busy.
        const now = performance.now();
        // The wait counts for the phase the bar showed before it.
        if (phase) window.__gap[phase] = Math.max(window.__gap[phase], now - last);
        const p = document.querySelector('#progress');
        phase = p ? (Number(p.value) >= Number(p.max) ? 'analyzing' : 'reading') : null;
        last = now;
        over = !over;
        document.body.dispatchEvent(new DragEvent(over ? 'dragover' : 'dragleave', { bubbles: true, cancelable: true }));
      }, 5);
      new MutationObserver(() => {
        const p = document.querySelector('#progress');
        const dragging = document.querySelector('main')?.classList.contains('dragging');
        if (p && dragging) window.__seen.push([Number(p.value), Number(p.max)]);
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['class'] });
    });
    await page.locator('#files').setInputFiles(big);
    const progress = page.locator('#progress');
    await progress.waitFor({ timeout: 10000 });
    assert.ok(Number(await progress.getAttribute('max')) >= SIZE, 'the bar spans the whole file');
    await screenshot(page, 'large-progress');

    await page.locator('#summary').waitFor({ timeout: 150000 });
    assert.equal(await progress.count(), 0, 'the bar is gone when done');
    const { seen, gap } = await page.evaluate(() => {
      clearInterval(window.__timer);
      return { seen: window.__seen, gap: window.__gap };
    });
    t.diagnostic(`longest main-thread stall: ${Math.round(gap.reading)} ms while reading, ${Math.round(gap.analyzing)} ms around the analysis`);
    const whileReading = seen.filter(([v, max]) => v < max);
    assert.ok(whileReading.length >= 2, `app events handled while reading: ${JSON.stringify(seen.slice(0, 20))}`);
    assert.match(await page.locator('#loaded').innerText(), /big-capture\.txt \(\d{8} bytes\)/);
    const pods = await page.locator('#pods td.pod').allInnerTexts();
    assert.ok(pods.some((p) => p.includes('worker-7d9f8b6c5-x2x9k')), pods.join());
    // The source view shows the file's lines without putting them all in the DOM.
    assert.match(await page.locator('.tabs').innerText(), /big-capture\.txt \(\d{6,} lines\)/);
    assert.ok((await page.locator('#source .line').count()) < 200);
    await screenshot(page, 'large-done');
  } finally {
    page.off('request', onRequest);
  }
  const foreign = requests.filter((u) => !u.startsWith(server.url));
  assert.deepEqual(foreign, []);
});

test('Cancel stops reading and leaves the page usable', { timeout: 60000 }, async () => {
  const page = await fresh();
  // Click Cancel from inside the page the moment it is shown: a click sent from the test
  // can arrive after a fast read has already finished on a busy machine.
  await page.evaluate(() => {
    new MutationObserver((_, obs) => {
      const b = document.querySelector('#cancel');
      if (b && !b.disabled) {
        b.click();
        window.cancelClicked = true;
        obs.disconnect();
      }
    }).observe(document.body, { childList: true, subtree: true, attributes: true });
  });
  await page.locator('#files').setInputFiles(big);
  await page.waitForFunction(() => window.cancelClicked === true, null, { timeout: 20000 });
  await page.locator('#progress').waitFor({ state: 'detached', timeout: 10000 });
  assert.match(await page.locator('#note').innerText(), /Cancelled/);
  // Nothing is analyzed later behind the user's back.
  await page.waitForTimeout(1500);
  assert.equal(await page.locator('#results').count(), 0);
  assert.equal(await page.locator('#loaded').count(), 0);
  // The page still works.
  await page.locator('#input').fill(SKELETON);
  await page.locator('#analyze').click();
  await page.locator('#pods tbody tr').first().waitFor();
  assert.equal(await page.locator('#pods td.pod').count(), 2);
});

test('many pods: every chart is drawn, those beyond the first few after the summary', { timeout: 60000 }, async () => {
  // 24 pods sampled four times: 24 memory charts (small multiples), more than the page
  // draws in the task that shows the summary (lazy_chart.rs); the rest come later.
  const pods = Array.from({ length: 24 }, (_, i) => `api-5c8b7d9f4-p${String(i).padStart(2, '0')}`);
  let text = '';
  for (let s = 0; s < 4; s++) {
    text += `$ kubectl top pod -n shop  # at 2026-11-24T10:0${s}:00Z\nNAME                  CPU(cores)   MEMORY(bytes)\n`;
    pods.forEach((p, i) => {
      text += `${p}   ${100 + i}m   ${200 + i * 3 + s * (i % 3)}Mi\n`;
    });
  }
  const file = path.join(tmp, 'many-pods.txt');
  fs.writeFileSync(file, text);
  const page = await fresh();
  await page.locator('#files').setInputFiles(file);
  await page.locator('#summary').waitFor({ timeout: 30000 });
  // Every chart ends up drawn: no placeholder left, one SVG per pod.
  await page.waitForFunction(() => document.querySelectorAll('.chart-pending').length === 0, null, { timeout: 20000 });
  const svgs = await page.locator('#chart svg').count();
  assert.equal(svgs, pods.length, 'one memory chart per pod');
  const all = await page.locator('#chart').innerHTML();
  for (const p of pods) assert.ok(all.includes(p), `${p} is charted`);
});
