// Every input path of the page in a real headless Chromium: the sample button, file
// upload (plain and gzip, several files), drop onto the window, paste anywhere, and the
// export of the JSON contract and the HTML report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import os from 'node:os';
import { serveDist, launch, screenshot, root } from './harness.mjs';

const SKELETON = path.join(root, 'tests', 'fixtures', 'skeleton-top.txt');
let server;
let browser;
let tmp;

before(async () => {
  server = await serveDist();
  browser = await launch();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeleak-inputs-'));
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

const podCells = async (page) => page.locator('#pods td.pod').allInnerTexts();

test('try a sample shows a leaking worker in one click', async () => {
  const page = await fresh();
  await page.locator('#sample').click();
  await page.locator('#summary').waitFor();
  const pods = await podCells(page);
  assert.ok(pods.some((p) => p.includes('image-worker-6c9f7d8b5-4xk2p')), pods.join());
  assert.ok((await page.locator('#chart svg').count()) >= 1);
  assert.match(await page.locator('#summary').innerText(), /2\s*pods/);
  assert.ok((await page.locator('#source .line').count()) > 10, 'source view shows lines');
  await screenshot(page, 'sample');
});

test('upload a gzip bundle and a plain file together', async () => {
  const page = await fresh();
  const gz = path.join(tmp, 'top.txt.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(SKELETON)));
  const extra = path.join(tmp, 'other-top.txt');
  fs.writeFileSync(extra, 'NAME   CPU(cores)   MEMORY(bytes)\nbatch-1   5m   77Mi\n');
  await page.locator('#files').setInputFiles([gz, extra]);
  await page.locator('#pods tbody tr').first().waitFor();
  const pods = await podCells(page);
  assert.ok(pods.some((p) => p.includes('shop/worker-7d9f8b6c5-x2x9k')), pods.join());
  assert.ok(pods.some((p) => p.includes('batch-1')), pods.join());
  assert.match(await page.locator('#loaded').innerText(), /top\.txt\.gz/);
  assert.equal(await page.locator('#warnings').count(), 0);
});

test('drop a file anywhere on the window', async () => {
  const page = await fresh();
  const text = fs.readFileSync(SKELETON, 'utf8');
  const dt = await page.evaluateHandle((t) => {
    const d = new DataTransfer();
    d.items.add(new File([t], 'dropped-top.txt', { type: 'text/plain' }));
    return d;
  }, text);
  await page.dispatchEvent('body', 'dragover', { dataTransfer: dt });
  await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
  await page.locator('#pods tbody tr').first().waitFor();
  assert.equal((await podCells(page)).length, 2);
  assert.match(await page.locator('#loaded').innerText(), /dropped-top\.txt/);
});

test('a binary file says what is wrong and keeps the rest', async () => {
  const page = await fresh();
  const png = path.join(tmp, 'screenshot.png');
  fs.writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  await page.locator('#input').fill(fs.readFileSync(SKELETON, 'utf8'));
  await page.locator('#files').setInputFiles([png]);
  await page.locator('#warnings').waitFor();
  assert.match(await page.locator('#warnings').innerText(), /screenshot\.png: skipped: this is a PNG image/);
  assert.equal((await podCells(page)).length, 2, 'the paste is still analyzed');
});

test('export JSON and a self-contained HTML report', async () => {
  const page = await fresh();
  await page.locator('#input').fill(fs.readFileSync(SKELETON, 'utf8'));
  await page.locator('#analyze').click();
  const [json] = await Promise.all([page.waitForEvent('download'), page.locator('#export-json').click()]);
  assert.equal(json.suggestedFilename(), 'kubeleak-report.json');
  const report = JSON.parse(fs.readFileSync(await json.path(), 'utf8'));
  assert.equal(report.schema, 'kubeleak.analysis/v1');
  assert.equal(report.pods.length, 2);
  const [html] = await Promise.all([page.waitForEvent('download'), page.locator('#export-html').click()]);
  const doc = fs.readFileSync(await html.path(), 'utf8');
  assert.match(doc, /^<!doctype html>/);
  assert.match(doc, /worker-7d9f8b6c5-q8r2m/);
  assert.doesNotMatch(doc, /<script|\ssrc=|\shref=/);
});

test('paste anywhere on the page analyzes the clipboard text', async () => {
  const page = await fresh();
  const text = fs.readFileSync(SKELETON, 'utf8');
  await page.evaluate((t) => {
    const d = new DataTransfer();
    d.setData('text', t);
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: d, bubbles: true }));
  }, text);
  await page.locator('#pods tbody tr').first().waitFor();
  assert.equal((await podCells(page)).length, 2);
  assert.equal(await page.locator('#input').inputValue(), text);
});

test('the pod table sorts and drills down', async () => {
  const page = await fresh();
  await page.locator('#sample').click();
  await page.locator('#pods').waitFor();
  await page.locator('#pods th button', { hasText: 'Pod' }).click();
  const asc = await podCells(page);
  assert.deepEqual([...asc].sort(), asc, 'sorted by pod name');
  await page.locator('#pods td.pod button').first().click();
  await page.locator('#pods tr.drill').waitFor();
  assert.match(await page.locator('#pods tr.drill').innerText(), /Containers/);
});

test('works on a narrow window', async () => {
  const page = await fresh();
  await page.setViewportSize({ width: 400, height: 800 });
  await page.locator('#sample').click();
  await page.locator('#pods').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await screenshot(page, 'narrow');
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.ok(overflow <= 40, `page scrolls sideways by ${overflow}px`);
});

test('a file dropped after typing is analyzed together with the typed text', async () => {
  const page = await fresh();
  await page.locator('#input').fill('NAME   CPU(cores)   MEMORY(bytes)\ntyped-pod   1m   12Mi\n');
  const dt = await page.evaluateHandle(() => {
    const d = new DataTransfer();
    d.items.add(new File(['NAME   CPU(cores)   MEMORY(bytes)\ndropped-pod   1m   34Mi\n'], 'dropped.txt', { type: 'text/plain' }));
    return d;
  });
  await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
  await page.locator('#loaded').waitFor();
  const pods = await podCells(page);
  assert.ok(pods.includes('typed-pod') && pods.includes('dropped-pod'), pods.join());
});
