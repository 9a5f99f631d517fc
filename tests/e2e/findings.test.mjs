// Findings in the page: the sample's OOM kill and leak pattern appear sorted by severity,
// and clicking an evidence line opens the source view at that line, highlighted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageSession, screenshot } from './harness.mjs';

const session = pageSession();

test('sample findings, evidence opens the source at its line', async () => {
  const { page } = session.browser;
  await page.goto(session.server.url);
  await page.locator('#sample').click();
  await page.locator('#findings article').first().waitFor();

  const kinds = await page.locator('#findings article').evaluateAll((els) => els.map((e) => e.dataset.kind));
  for (const k of ['oom-killed', 'memory-growth', 'cache-without-eviction', 'crash-loop']) {
    assert.ok(kinds.includes(k), `${k} in ${kinds}`);
  }
  const sev = await page.locator('#findings article .sev').allInnerTexts();
  const rank = { CRITICAL: 2, WARNING: 1, INFO: 0 };
  const ranks = sev.map((s) => rank[s.trim().toUpperCase()]);
  assert.deepEqual([...ranks].sort((a, b) => b - a), ranks, 'sorted by severity');
  assert.match(await page.locator('#summary').innerText(), /worst:\s*critical/i);

  const oom = page.locator('#findings article[data-kind="oom-killed"]');
  assert.match(await oom.locator('h3').innerText(), /OOMKilled/);
  const evidence = oom.locator('button.evidence').first();
  const loc = await evidence.locator('.loc').innerText();
  const line = loc.split(':').pop();
  await evidence.click();
  const selected = page.locator('#source .line.selected');
  await selected.waitFor();
  assert.equal(await selected.getAttribute('data-line'), line);
  const evidenceText = await evidence.locator('code').innerText();
  assert.ok((await selected.locator('.text').innerText()).includes(evidenceText.trim()));
  await screenshot(page, 'findings');
});
