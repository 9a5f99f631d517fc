// Shared harness for the browser end-to-end tests: serves the built `dist/` on
// 127.0.0.1 (node:http, no dependencies) and drives the installed Chromium with
// playwright-core. Screenshots go to tests/e2e/artifacts/.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..');
// KUBELEAK_DIST: another build of the page (benches compare builds side by side).
export const dist = process.env.KUBELEAK_DIST ? path.resolve(process.env.KUBELEAK_DIST) : path.join(root, 'dist');
export const artifacts = path.join(here, 'artifacts');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Starts a static server for dist/ on 127.0.0.1 and a random port. */
export async function serveDist() {
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`no ${dist}/index.html: build the page first (trunk build --release)`);
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.join(dist, path.normalize(rel));
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

/**
 * The page served from dist/ and a Chromium for this file's tests: started before them,
 * closed after. `session.server.url` and `session.browser.page` are there once `before`
 * has run; with `tmpPrefix`, also `session.tmp`, a temporary directory removed after.
 */
export function pageSession(tmpPrefix) {
  const session = { server: undefined, browser: undefined, tmp: undefined };
  before(async () => {
    session.server = await serveDist();
    session.browser = await launch();
    if (tmpPrefix) session.tmp = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
    if (session.tmp) fs.rmSync(session.tmp, { recursive: true, force: true });
  });
  return session;
}

/** Opens the page, pastes `text`, presses Analyze and waits for the findings (or "No findings"). */
export async function pasteAndAnalyze(page, url, text) {
  await page.goto(url);
  await page.locator('#input').fill(text);
  await page.locator('#analyze').click();
  await page.locator('#findings article, #no-findings').first().waitFor();
}

/** Launches headless Chromium (Debian's /usr/bin/chromium) with a fresh profile. */
export async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeleak-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Listens for the worker's phase timings, which the page logs with
 * `console.debug('kubeleak: worker timings (ms)', {phase: ms})` when results arrive.
 * Returns `{ get: () => timings | null, stop }`.
 */
// Watches the page's main thread from now on: the browser's long-task entries (tasks
// over 50 ms, PerformanceObserver `longtask`) and the longest gap between two ticks of a
// 10 ms timer (what a user feels as a freeze, scheduling included). `stop()` returns
// `{ long: [ms…], longest, gap }`. For the benches (they assert nothing about time).
export async function watchMainThread(page) {
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
    window.__gap = 0;
    let last = performance.now();
    window.__timer = setInterval(() => {
      const now = performance.now();
      window.__gap = Math.max(window.__gap, now - last);
      last = now;
    }, 10);
  });
  return {
    stop: async () => {
      const { long, gap } = await page.evaluate(() => {
        clearInterval(window.__timer);
        return { long: window.__long, gap: window.__gap };
      });
      return { long, longest: long.length ? Math.max(...long) : 0, gap };
    },
  };
}

export function workerTimings(page) {
  let timings = null;
  const listen = async (m) => {
    if (m.text().startsWith('kubeleak: worker timings')) timings = await m.args()[1].jsonValue();
  };
  page.on('console', listen);
  return { get: () => timings, stop: () => page.off('console', listen) };
}

/** Saves a screenshot of the page as a test artefact. */
export async function screenshot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
