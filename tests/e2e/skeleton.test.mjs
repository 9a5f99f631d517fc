// Walking skeleton: paste two `kubectl top` samples, press Analyze, see a chart with one
// line per pod and a table of the parsed values, in a real headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pageSession, screenshot, root } from './harness.mjs';

const PASTE = fs.readFileSync(path.join(root, 'tests', 'fixtures', 'skeleton-top.txt'), 'utf8');
const session = pageSession();

test('paste, analyze: chart and both pods appear', async () => {
  const { page } = session.browser;
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(session.server.url);
  await page.locator('#input').fill(PASTE);
  await page.locator('#analyze').click();

  const chart = page.locator('#chart svg');
  await chart.waitFor({ timeout: 15000 });
  const svg = await chart.evaluate((el) => el.outerHTML);
  // One line per pod (plus mesh lines), both pods named in the legend.
  assert.match(svg, /worker-7d9f8b6c5-x2x9k/);
  assert.match(svg, /worker-7d9f8b6c5-q8r2m/);

  const rows = page.locator('#pods tbody tr');
  assert.equal(await rows.count(), 2);
  const first = await rows.nth(0).innerText();
  assert.match(first, /shop/);
  assert.match(first, /worker-7d9f8b6c5-x2x9k/);
  assert.match(first, /301Mi → 344Mi/);
  assert.match(await rows.nth(1).innerText(), /288Mi → 339Mi/);

  const shot = await screenshot(page, 'skeleton-paste');
  assert.ok(fs.statSync(shot).size > 1000);
  // Nothing but the page's own assets was requested.
  const foreign = requests.filter((u) => !u.startsWith(session.server.url));
  assert.deepEqual(foreign, []);
});

test('untrusted text shows literally and runs nothing', async () => {
  const { page } = session.browser;
  await page.goto(session.server.url);
  let alerted = false;
  page.on('dialog', async (d) => { alerted = true; await d.dismiss(); });
  const hostile = 'NAME   CPU(cores)   MEMORY(bytes)\n<img/src=x/onerror=alert(1)>   1m   10Mi\n';
  await page.locator('#input').fill(hostile);
  await page.locator('#analyze').click();
  await page.locator('#pods tbody tr').first().waitFor();
  assert.equal(await page.locator('#pods td.pod').first().innerText(), '<img/src=x/onerror=alert(1)>');
  assert.equal(await page.locator('#results img').count(), 0);
  await page.waitForTimeout(200);
  assert.equal(alerted, false);
});
