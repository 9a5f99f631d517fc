// Usable by keyboard alone, with readable contrast: Tab reaches every control in order,
// Enter works them (sample, evidence → source view, sorting, drill-down), the focused
// control is visibly outlined, and text meets WCAG AA contrast (4.5:1) on its background.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageSession, screenshot } from './harness.mjs';

const session = pageSession();

/** Presses Tab until `pred(activeElement)` holds (at most `max` presses); returns the count. */
async function tabTo(page, pred, max = 400) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(pred)) return i;
  }
  throw new Error(`not reached by Tab: ${pred}`);
}

test('the sample, evidence, sorting and drill-down work from the keyboard alone', { timeout: 60000 }, async () => {
  const { page } = session.browser;
  await page.goto(session.server.url);
  await page.locator('#analyze').waitFor();
  await tabTo(page, () => document.activeElement?.id === 'sample');
  // The focused control is visibly outlined.
  const outline = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  assert.ok(outline.style !== 'none' && outline.width >= 1, `focus outline: ${JSON.stringify(outline)}`);
  await page.keyboard.press('Enter');
  await page.locator('#findings article').first().waitFor();

  // Evidence: reach the first evidence line and open it in the source view.
  await tabTo(page, () => document.activeElement?.classList.contains('evidence'));
  const loc = await page.evaluate(() => document.activeElement.querySelector('.loc').innerText);
  await page.keyboard.press('Enter');
  const selected = page.locator('#source .line.selected').first();
  await selected.waitFor({ timeout: 10000 });
  assert.equal(await selected.getAttribute('data-line'), loc.split(':').pop());

  // Sorting the pod table: Enter on a column header button flips aria-sort.
  await tabTo(page, () => document.activeElement?.classList.contains('sort'));
  const th = () => page.evaluate(() => document.activeElement.closest('th').getAttribute('aria-sort'));
  const before = await th();
  await page.keyboard.press('Enter');
  await page.waitForFunction((b) => document.activeElement?.closest('th')?.getAttribute('aria-sort') !== b || document.querySelector('th[aria-sort="ascending"], th[aria-sort="descending"]'), before);
  assert.ok(['ascending', 'descending'].includes(await page.evaluate(() => document.querySelector('th[aria-sort="ascending"], th[aria-sort="descending"]')?.getAttribute('aria-sort'))));

  // Drill-down: a pod's button opens its details.
  await tabTo(page, () => document.activeElement?.getAttribute('aria-expanded') === 'false');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[aria-expanded="true"]'));
  await screenshot(page, 'keyboard');
});

test('text has at least 4.5:1 contrast against its background', async () => {
  const { page } = session.browser;
  await page.goto(session.server.url);
  await page.locator('#sample').click();
  await page.locator('#findings article').first().waitFor();
  const worst = await page.evaluate(() => {
    const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bg = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    let worst = { ratio: Infinity };
    const els = document.querySelectorAll('body *:not(svg *):not(svg)');
    for (const el of els) {
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own || !el.getClientRects().length) continue;
      const s = getComputedStyle(el);
      if (s.visibility === 'hidden' || Number(s.opacity) < 0.5) continue;
      const a = lum(rgb(s.color).slice(0, 3));
      const b = lum(bg(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < worst.ratio) worst = { ratio, text: el.textContent.trim().slice(0, 40), tag: el.tagName, cls: el.className, color: s.color, bg: bg(el) };
    }
    return worst;
  });
  assert.ok(worst.ratio >= 4.5, `lowest contrast ${worst.ratio.toFixed(2)}: ${JSON.stringify(worst)}`);
});
