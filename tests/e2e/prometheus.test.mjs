// Prometheus history in the page (issue 18): a Prometheus API response (24 h of three
// pods: a leak OOM-killed twice, a flat pod, a GC sawtooth, with kube-state-metrics'
// limits and restarts) and a Grafana panel's CSV export, pasted, give the memory chart
// over the whole range and the memory-growth finding of the leak, and none for the
// others. The fixtures are the generator's (tests/prometheus_history.rs checks them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pageSession, pasteAndAnalyze, screenshot, root } from './harness.mjs';

const FIXTURES = path.join(root, 'tests', 'fixtures', 'prometheus');
const LEAK = 'worker-leak-7d9f8b6c5-x2x9k';

const session = pageSession();

async function analyze(page, text) {
  await pasteAndAnalyze(page, session.server.url, text);
  await page.locator('#chart svg').first().waitFor({ timeout: 15000 });
  await page.waitForFunction(() => document.querySelectorAll('.chart-pending').length === 0, null, { timeout: 20000 });
}

async function growth(page) {
  return page
    .locator('#findings article[data-kind="memory-growth"]')
    .evaluateAll((as) => as.map((a) => a.innerText));
}

test('a pasted Prometheus response: the chart over 24 h and the leak with its runs', { timeout: 60000 }, async () => {
  const { page } = session.browser;
  await analyze(page, fs.readFileSync(path.join(FIXTURES, 'query_range-24h.json'), 'utf8'));
  const found = await growth(page);
  assert.equal(found.length, 1, `one memory-growth finding: ${JSON.stringify(found)}`);
  assert.match(found[0], new RegExp(LEAK));
  assert.match(found[0], /in each of its last 3 runs and is killed at ~(1\.0Gi|10\d\d(\.\d)?Mi) after ~9h5\dm/);
  // Negative controls: the flat pod and the GC sawtooth have no growth finding.
  for (const p of ['worker-flat-', 'worker-gc-']) {
    assert.ok(!found.some((f) => f.includes(p)), `${p} is not a leak`);
  }
  const chart = await page.locator('#chart').innerHTML();
  for (const p of [LEAK, 'worker-flat-7d9f8b6c5-b4m2q', 'worker-gc-7d9f8b6c5-z8h5n']) {
    assert.ok(chart.includes(p), `${p} is charted`);
  }
  assert.match(chart, /limit 1Gi/, 'the limit line');
  assert.match(chart, /OOMKilled/, 'the last kill is marked');
  // The pod table shows the leaking container's runs; the GC sawtooth has none.
  const rows = await page.locator('#pods tr.pod-row').evaluateAll((rs) => rs.map((r) => r.innerText));
  const leakRow = rows.find((r) => r.includes(LEAK));
  assert.match(leakRow, /3 runs: 7h55m to [\d.]+[MG]i, 9h55m to [\d.]+[MG]i, 6h\d*m? so far/, leakRow);
  assert.ok(!rows.find((r) => r.includes('worker-gc-')).includes('runs'), 'no runs for a GC sawtooth');
  await screenshot(page, 'prometheus-24h');
});

test('a pasted Grafana CSV export: the chart and the growth finding', { timeout: 60000 }, async () => {
  const { page } = session.browser;
  await analyze(page, fs.readFileSync(path.join(FIXTURES, 'grafana-leak-6h.csv'), 'utf8'));
  const found = await growth(page);
  assert.equal(found.length, 1, `one memory-growth finding: ${JSON.stringify(found)}`);
  assert.match(found[0], /grew 40 MiB\/h/);
  const chart = await page.locator('#chart').innerHTML();
  assert.ok(chart.includes(`${LEAK}/app`), 'the container is charted');
  await screenshot(page, 'grafana-csv');
});
