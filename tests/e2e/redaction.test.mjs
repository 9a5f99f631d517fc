// Issue 22: the page's exports leave out secrets. A capture with the fake secrets of
// tests/fixtures/secrets/fake-secrets.txt (one pod each: describe env, a MemoryError log
// line quoted as evidence, an event) is analyzed; the page says "secrets redacted: N",
// the JSON and HTML exports hold none of the secrets and keep the look-alikes, and with
// the switch off they are exported as the bundle has them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pageSession, root } from './harness.mjs';

const session = pageSession();

// [kind, text that carries it, secret]: the braces and bars of the file removed.
function corpus() {
  const file = path.join(root, 'tests', 'fixtures', 'secrets', 'fake-secrets.txt');
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [kind, carrier] = l.split('\t');
      const a = carrier.indexOf('{{');
      const b = carrier.indexOf('}}', a);
      const secret = carrier.slice(a + 2, b).replaceAll('|', '');
      return [kind, carrier.slice(0, a) + secret + carrier.slice(b + 2), secret];
    });
}

const UUID = '6f1c1a52-3c1e-4b7e-9a55-0b8f3f1d2c11';

function bundle(secrets) {
  let b = '# kubeleak-bundle: 1\n# captured-at: 2026-11-24T10:30:00Z\n';
  secrets.forEach(([, text], i) => {
    const pod = `worker-7d9f8b6c5-s${String(i).padStart(3, '0')}`;
    b += `$ kubectl describe pod -n shop ${pod}\nName:         ${pod}\nNamespace:    shop\nContainers:\n  worker:\n    Limits:\n      memory:  512Mi\n    Environment:\n      SETTING:  ${text}\n`;
    b += `$ kubectl logs -n shop ${pod}\n2026-11-24T10:00:02Z MemoryError: cannot allocate 1073741824 bytes, request ${UUID} max_tokens=512 while loading ${text}\n`;
  });
  return b;
}

// The forms a secret takes in a JSON string and in escaped HTML.
const forms = (s) => [s, JSON.stringify(s).slice(1, -1), s.replaceAll('&', '&amp;').replaceAll('"', '&quot;')];

async function exported(page, button) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.locator(button).click()]);
  return fs.readFileSync(await d.path(), 'utf8');
}

test('exports leave out every secret, say how many, and the switch exports them as they are', async () => {
  const secrets = corpus();
  assert.ok(secrets.length >= 40);
  const { page } = session.browser;
  await page.goto(session.server.url);
  await page.locator('#input').fill(bundle(secrets));
  await page.locator('#analyze').click();
  await page.locator('#summary').waitFor();
  const note = await page.locator('#redactions').innerText();
  const n = Number(/secrets redacted: (\d+)/.exec(note)?.[1]);
  assert.ok(n >= secrets.length, note);
  assert.ok(await page.locator('#redact-exports').isChecked(), 'redaction is on by default');

  const json = await exported(page, '#export-json');
  const html = await exported(page, '#export-html');
  const report = JSON.parse(json);
  for (const [kind, , secret] of secrets) {
    for (const f of forms(secret)) {
      assert.ok(!json.includes(f), `${kind} in the JSON export`);
      assert.ok(!html.includes(f), `${kind} in the HTML export`);
    }
    assert.ok(report.redactions[kind] > 0, `${kind} counted: ${JSON.stringify(report.redactions)}`);
  }
  for (const kept of [UUID, 'max_tokens=512', '1073741824 bytes', 'worker-7d9f8b6c5-s000']) {
    assert.ok(json.includes(kept), `${kept} kept in the JSON`);
    assert.ok(html.includes(kept), `${kept} kept in the HTML`);
  }
  assert.match(html, /secrets redacted \(/);

  // Switch off: the exports quote the bundle as it is.
  await page.locator('#redact-exports').uncheck();
  const rawJson = await exported(page, '#export-json');
  const rawHtml = await exported(page, '#export-html');
  assert.equal(JSON.parse(rawJson).redactions, undefined);
  for (const [kind, , secret] of secrets) {
    assert.ok(forms(secret).some((f) => rawJson.includes(f)), `${kind} exported with the switch off`);
    assert.ok(forms(secret).some((f) => rawHtml.includes(f)), `${kind} in the HTML with the switch off`);
  }
});
