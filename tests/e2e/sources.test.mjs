// What users already have, opened in the page: a Replicated support bundle (tar.gz,
// read in the worker) and a memray HTML report beside kubectl output; and the charts
// that explain a finding: the growth trend projected to the limit, and a leak
// pattern's log-mined numbers beside memory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, launch, screenshot, root } from './harness.mjs';

const BUNDLE = path.join(root, 'tests', 'fixtures', 'support-bundle', 'support-bundle-worker.tar.gz');
const MEMRAY = path.join(root, 'tests', 'fixtures', 'cases', 'pyprof', 'memray-flamegraph.html');
let server;
let browser;
let tmp;
before(async () => {
  server = await serveDist();
  browser = await launch();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeleak-sources-'));
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

test('a support bundle (tar.gz) is read in the page: OOM kill, leak pattern, evidence inside its members', { timeout: 60000 }, async () => {
  const page = await fresh();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.locator('#files').setInputFiles(BUNDLE);
  await page.locator('#findings article').first().waitFor({ timeout: 30000 });
  const kinds = await page.locator('#findings article').evaluateAll((els) => els.map((e) => e.dataset.kind));
  for (const k of ['oom-killed', 'cache-without-eviction']) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
  // Evidence cites the member of the archive it came from.
  const locs = await page.locator('#findings article[data-kind="oom-killed"] .evidence .loc').allInnerTexts();
  assert.ok(locs.some((l) => l.includes('support-bundle-worker.tar.gz:cluster-resources/pods/')), locs.join('\n'));
  // Members are sources of their own in the source view.
  assert.match(await page.locator('.tabs').innerText(), /cluster-resources\/pods\/logs\//);
  await screenshot(page, 'support-bundle');
  assert.deepEqual(requests.filter((u) => !u.startsWith(server.url)), []);
});

test('a memray HTML report beside describe output gives memory growth from its RSS records', { timeout: 60000 }, async () => {
  const page = await fresh();
  const describe = path.join(tmp, 'describe.txt');
  fs.writeFileSync(describe, [
    '$ kubectl describe pod -n shop w-1',
    'Name:         w-1',
    'Namespace:    shop',
    'Status:       Running',
    'Containers:',
    '  worker:',
    '    Image:          registry.example/worker:1.4',
    '    State:          Running',
    '    Restart Count:  0',
    '    Limits:',
    '      memory:  512Mi',
    '',
  ].join('\n'));
  await page.locator('#files').setInputFiles([describe, MEMRAY]);
  const growth = page.locator('#findings article[data-kind="memory-growth"]').first();
  await growth.waitFor({ timeout: 30000 });
  assert.match(await growth.innerText(), /From memray's memory records/);
  const locs = await growth.locator('.evidence .loc').allInnerTexts();
  assert.ok(locs.some((l) => l.startsWith('memray-flamegraph.html:')), locs.join('\n'));
  // The report's HTML was read as data: nothing of it runs or renders.
  assert.equal(await page.locator('#results script, #results iframe').count(), 0);
});

test('the sample explains itself in charts: trend to the limit, and the cache numbers beside memory', { timeout: 60000 }, async () => {
  const page = await fresh();
  await page.locator('#sample').click();
  await page.locator('#findings article').first().waitFor();
  // The memory chart projects the growing worker to its 512Mi limit.
  const chart = await page.locator('#chart').innerHTML();
  assert.match(chart, /→ limit ~\d\d:\d\d \(\+\d+h\d\dm\)/, 'projection labelled with when the limit is reached');
  // The cache finding shows the numbers it read from the logs, with memory, on two axes.
  const cache = page.locator('#findings article[data-kind="cache-without-eviction"]').first();
  const fig = cache.locator('figure.finding-chart');
  await fig.waitFor();
  const svg = await fig.innerHTML();
  assert.match(svg, /\(from the logs\)/);
  assert.match(svg, /memory of /);
  assert.ok((svg.match(/<polyline/g) ?? []).length >= 2, 'log series and memory are both drawn');
  await fig.screenshot({ path: path.join(root, 'tests', 'e2e', 'artifacts', 'finding-chart.png') });
  // The exported report carries the same chart (drawn by the page, not the worker).
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-html').click()]);
  const html = fs.readFileSync(await download.path(), 'utf8');
  assert.match(html, /\(from the logs\)/);
  assert.doesNotMatch(html, /kubeleak-finding-chart-/);
});
