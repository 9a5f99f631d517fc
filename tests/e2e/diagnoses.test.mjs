// Diagnoses in the page (issue 17): the sample's verdicts come before the findings, the
// crash-looping worker's headline names the OOM kill and the runbook pattern, and the
// shared advice ("To confirm inside the pod: …") appears once per diagnosis, not once
// per finding; a finding links to its diagnosis instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageSession, screenshot } from './harness.mjs';

const session = pageSession();

test('sample diagnoses first, headline shown, shared advice once', async () => {
  const { page } = session.browser;
  await page.goto(session.server.url);
  await page.locator('#sample').click();
  await page.locator('#diagnoses article').first().waitFor();

  // Diagnoses come before the findings.
  const order = await page.evaluate(() => {
    const d = document.querySelector('#diagnoses');
    const f = document.querySelector('#findings');
    return Boolean(d.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(order, 'diagnoses above the findings');

  const headlines = await page.locator('#diagnoses article h3.headline').allInnerTexts();
  assert.ok(
    headlines.some((h) => /^worker \(image-worker-6c9f7d8b5-4xk2p\) is OOM-killed at its 512Mi limit/.test(h) && /runbook pattern 2/.test(h)),
    `the crash-looping worker's headline in ${JSON.stringify(headlines)}`,
  );

  const diagnoses = await page.locator('#diagnoses article').count();
  const text = await page.locator('#results').innerText();
  const shared = text.split('To confirm inside the pod').length - 1;
  assert.ok(shared >= 1 && shared <= diagnoses, `shared advice ${shared} times for ${diagnoses} diagnoses`);
  const inFindings = (await page.locator('#findings').innerText()).split('To confirm inside the pod').length - 1;
  assert.equal(inFindings, 0, 'findings of a diagnosis do not repeat its advice');

  const link = page.locator('#findings article a.diagnosis-link').first();
  assert.match(await link.getAttribute('href'), /^#diagnosis-\d+$/);
  await screenshot(page, 'diagnoses');
});
