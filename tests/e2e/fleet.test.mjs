// The fleet view (issue 23) of a 40-replica Deployment (tests/fixtures/fleet/api-40-replicas.txt,
// written by xtask/src/fleet.rs): one overview of the workload, the 6 growing replicas
// marked and listed first, chart titles naming pods, and a replica opening its detail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pageSession, screenshot, root } from './harness.mjs';

const BUNDLE = path.join(root, 'tests', 'fixtures', 'fleet', 'api-40-replicas.txt');

const session = pageSession();

test('40 replicas: one overview, growing replicas marked, titles naming pods', async () => {
  const { page } = session.browser;
  await page.goto(session.server.url);
  await page.locator('#files').setInputFiles(BUNDLE);
  await page.locator('#fleet article.fleet').first().waitFor();

  // One overview for the one workload, its verdict first among the diagnoses.
  assert.equal(await page.locator('#fleet article.fleet').count(), 1);
  const fleet = page.locator('#fleet article.fleet');
  assert.match(await fleet.locator('.fleet-title').innerText(), /^api: 40 replicas, 6 grow/);
  const headline = await fleet.locator('.headline').innerText();
  assert.match(headline, /^6 of 40 replicas of api grow \d+–\d+ MiB\/h \(34 flat\); all 6 run on node ip-10-0-3-17, none of the flat ones do$/);
  assert.equal(await page.locator('#diagnoses article h3.headline').first().innerText(), headline);
  const order = await page.evaluate(() => {
    const f = document.querySelector('#fleet');
    const list = document.querySelector('#findings');
    return Boolean(f.compareDocumentPosition(list) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(order, 'the fleet view before the findings');

  // Above 12 replicas: a table of sparklines, growing first, sorted by slope.
  const rows = fleet.locator('table.fleet-table tbody tr');
  assert.equal(await rows.count(), 40);
  const classes = await rows.evaluateAll((trs) => trs.map((tr) => tr.classList.contains('growing')));
  assert.deepEqual(classes, [...Array(6).fill(true), ...Array(34).fill(false)]);
  assert.equal(await fleet.locator('tr.growing .grow-mark').count(), 6);
  assert.equal(await fleet.locator('td.spark svg').count(), 40);
  const slopes = await rows.evaluateAll((trs) => trs.slice(0, 6).map((tr) => parseFloat(tr.cells[2].innerText.replace(/[^0-9.]/g, ''))));
  assert.deepEqual([...slopes].sort((a, b) => b - a), slopes, 'sorted by slope');
  assert.match(await rows.first().locator('td').nth(4).innerText(), /^1Gi$/);

  // The replicas' memory is in the table: no 40 small charts below it.
  assert.equal(await page.locator('#chart figure').count(), 0);
  assert.match(await page.locator('#in-fleet').innerText(), /in the workloads' tables above/);

  // Clicking a growing replica opens its detail, with its own chart.
  const first = rows.first().locator('button.replica-link');
  const pod = (await first.innerText()).replace('▲', '').trim();
  await first.click();
  // (A pod with pod-level samples and a container has two rows: each may show the detail.)
  const drill = page.locator('#pods tr.drill').first();
  await drill.waitFor();
  assert.equal(await drill.locator('figure.pod-chart').first().getAttribute('aria-label'), pod);
  await drill.locator('figure.pod-chart svg').first().waitFor();
  // Its chart's title names the pod (no chart says "Memory (working set)").
  assert.match(await drill.locator('figure.pod-chart svg').first().evaluate((svg) => svg.textContent), new RegExp(`Memory of ${pod}`));
  assert.ok(!(await page.locator('#results').innerHTML()).includes('Memory (working set)'));
  const open = await page.locator('#pods tr.pod-row.open td.pod').first().innerText();
  assert.ok(open.includes(pod), `${open} is the opened pod`);
  await screenshot(page, 'fleet');
});
