// Real pastes in the page (issue 16): a one-line paste of what people copy from an
// issue, a `MemoryError` line or one `get pods` row without its header, gives its
// finding; a sentence that only mentions MemoryError gives none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageSession, pasteAndAnalyze, screenshot } from './harness.mjs';

const session = pageSession();

async function analyze(page, text) {
  await pasteAndAnalyze(page, session.server.url, text);
  return page.locator('#findings article').evaluateAll((as) => as.map((a) => a.dataset.kind));
}

test('one MemoryError line gives memory-error', async () => {
  const { page } = session.browser;
  const kinds = await analyze(
    page,
    'numpy.core._exceptions._ArrayMemoryError: Unable to allocate 1.61 GiB for an array with shape (753, 536, 536) and data type float64\n',
  );
  assert.ok(kinds.includes('memory-error'), `kinds ${JSON.stringify(kinds)}`);
  await screenshot(page, 'paste-memoryerror');
});

test('one headerless OOMKilled row gives oom-killed for its pod', async () => {
  const { page } = session.browser;
  const kinds = await analyze(page, 'api-6d4cf56db6-9xk2p   1/2   OOMKilled   3   12m\n');
  assert.ok(kinds.includes('oom-killed'), `kinds ${JSON.stringify(kinds)}`);
  const text = await page.locator('#findings').innerText();
  assert.match(text, /api-6d4cf56db6-9xk2p/);
});

test('MemoryError in a sentence gives no finding (negative control)', async () => {
  const { page } = session.browser;
  const kinds = await analyze(
    page,
    'Often the cause of a MemoryError is incorrect broadcasting resulting in a very large and incorrect shape.\n',
  );
  assert.deepEqual(kinds, []);
});
