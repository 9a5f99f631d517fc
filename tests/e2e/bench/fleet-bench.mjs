// The page with many replicas (issue 23; not a test: it prints numbers and asserts
// nothing about time). Run after `trunk build --release`:
//
//   cargo xtask gen-fleet -o /tmp/f500.txt --replicas 500 --growing 50 --samples 100 --minutes 5940
//   node tests/e2e/bench/fleet-bench.mjs /tmp/f500.txt
//
// Prints, from the file chosen to the fleet view in the DOM and then for 10 s more (the
// memory charts are drawn a batch per task meanwhile): the longest main-thread task the
// browser reports (PerformanceObserver `longtask`: tasks over 50 ms), the longest gap
// between two ticks of a 10 ms timer, and how long until the summary and the fleet view
// showed.
import path from 'node:path';
import { serveDist, launch, watchMainThread } from '../harness.mjs';

const bundle = path.resolve(process.argv[2] ?? '/tmp/f500.txt');
const server = await serveDist();
const browser = await launch();
try {
  const { page } = browser;
  await page.goto(server.url);
  await page.locator('#analyze').waitFor();
  const watch = await watchMainThread(page);
  await page.evaluate(() => {
    document.querySelector('#files').addEventListener('change', () => { window.__picked = performance.now(); }, { capture: true });
    new MutationObserver(() => {
      if (!window.__summary && document.getElementById('summary')) window.__summary = performance.now();
      if (!window.__fleet && document.querySelector('#fleet .fleet-table tbody tr')) window.__fleet = performance.now();
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.locator('#files').setInputFiles(bundle);
  await page.locator('#fleet .fleet-table tbody tr').first().waitFor({ timeout: 10 * 60 * 1000 });
  await page.waitForTimeout(10_000);
  const main = await watch.stop();
  const r = await page.evaluate(() => {
    return {
      summary: window.__summary - window.__picked,
      fleet: window.__fleet - window.__picked,
      rows: document.querySelectorAll('#fleet .fleet-table tbody tr').length,
      charts: document.querySelectorAll('#chart figure svg').length,
    };
  });
  console.log(`bundle: ${path.basename(bundle)}; fleet rows ${r.rows}; memory charts drawn after 10 s: ${r.charts}`);
  console.log(`file chosen → summary ${Math.round(r.summary)} ms, → fleet view ${Math.round(r.fleet)} ms`);
  console.log(`long tasks (> 50 ms): ${main.long.length}, longest ${Math.round(main.longest)} ms; longest timer gap ${Math.round(main.gap)} ms`);
} finally {
  await browser.close();
  await server.close();
}
