// Digest workers (issue 21): the page analyzes with its analysis worker alone
// (`?workers=1`) or with digest workers beside it (`?workers=2`, `?workers=4`), and the
// exported JSON report is the same byte for byte: on every fixture and real paste at
// once (one analysis of many files, whose log streams are dealt to the workers), and on
// a generated 24 MB bundle, plain and gzipped. Without `?workers`, a small input gets
// one worker and a big one one per core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { pageSession, root } from './harness.mjs';

const session = pageSession('kubeleak-workers-');

/** Every file under `dir` that is an input (not an expected report or a notes file). */
function inputs(dir) {
  return fs
    .readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile() && !/\.expected\.json$|\.md$/.test(f))
    .sort();
}

/**
 * Analyzes `files` in the page opened with `query`; returns the exported JSON report (as
 * text) and how many workers the page says analyzed it.
 */
async function analyze(files, query) {
  const { page } = session.browser;
  let workers = null;
  const onConsole = async (msg) => {
    if (msg.text().startsWith('kubeleak: workers')) workers = await msg.args()[1]?.jsonValue();
  };
  page.on('console', onConsole);
  try {
    await page.goto(`${session.server.url}${query}`);
    await page.locator('#analyze').waitFor();
    await page.locator('#files').setInputFiles(files);
    await page.locator('#summary').waitFor({ timeout: 120000 });
    const [json] = await Promise.all([page.waitForEvent('download'), page.locator('#export-json').click()]);
    const text = fs.readFileSync(await json.path(), 'utf8');
    const until = Date.now() + 5000;
    while (workers === null && Date.now() < until) await page.waitForTimeout(20);
    return { text, workers };
  } finally {
    page.off('console', onConsole);
  }
}

test('every fixture and real paste: the same report with 1, 2 and 4 workers', { timeout: 300000 }, async () => {
  const files = [
    ...inputs(path.join(root, 'tests', 'fixtures', 'cases')),
    ...inputs(path.join(root, 'tests', 'fixtures', 'real')),
  ];
  assert.ok(files.length > 150, `${files.length} inputs`);
  const one = await analyze(files, '?workers=1');
  assert.equal(one.workers, 1);
  const report = JSON.parse(one.text);
  assert.ok(report.findings.length >= 40, `${report.findings.length} findings`);
  // Findings the log digests make (what the digest workers compute).
  const kinds = new Set(report.findings.map((f) => f.kind));
  for (const k of ['memory-error', 'circular-references']) assert.ok(kinds.has(k), `a ${k} finding: ${[...kinds]}`);
  for (const n of [2, 4]) {
    const many = await analyze(files, `?workers=${n}`);
    assert.equal(many.workers, n, `${n} workers analyzed`);
    assert.ok(many.text === one.text, `the report with ${n} workers is the one with 1`);
  }
  // Without ?workers: these small files get one worker.
  assert.equal((await analyze(files.slice(0, 3), '')).workers, 1);
});

test('a generated 24 MB bundle, plain and gzipped: the same report with 1 and 2 workers', { timeout: 300000 }, async () => {
  const bundle = path.join(session.tmp, 'bundle.txt');
  const gen = spawnSync('cargo', ['xtask', 'gen-bundle', '--size', '24MB', '--seed', '5', '-o', bundle], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(gen.status, 0, gen.stderr);
  const gz = path.join(session.tmp, 'bundle.txt.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(bundle), { level: 1 }));
  for (const file of [bundle, gz]) {
    const one = await analyze([file], '?workers=1');
    const report = JSON.parse(one.text);
    assert.ok(report.findings.length > 0, `${path.basename(file)} has findings`);
    // The page's own choice for a big file: one worker per core, at most 4.
    const auto = await analyze([file], '');
    const cores = await session.browser.page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(auto.workers, Math.max(1, Math.min(4, cores)), `${path.basename(file)}: workers by default`);
    assert.ok(auto.text === one.text, `${path.basename(file)}: the report with ${auto.workers} workers is the one with 1`);
  }
});
