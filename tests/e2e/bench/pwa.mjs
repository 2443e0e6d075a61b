// PWA benchmarks in Debian's Chromium, run by `cargo xtask bench`:
// - first-load transfer: the bytes Chromium receives (headers and compressed
//   bodies, as pantau-server sends them) for a first visit, until the app is
//   ready to take a report;
// - reopening the installed app with no signal at 4x CPU slowdown: the time
//   from navigation to ready (the app's `pantau-ready` performance mark);
// - Lighthouse (mobile preset) performance, accessibility and best practices,
//   and the accessibility score of every screen.
// Prints markdown tables. Figures are from one shared, noisy machine.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { PantauServer, freePort, launchChromium, CHROMIUM_ARGS, waitForServiceWorker } from '../harness.mjs';

const REOPENS = 7;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function readyAt(page) {
  await page.waitForFunction(() => performance.getEntriesByName('pantau-ready').length > 0, null, { timeout: 60_000, polling: 10 });
  return page.evaluate(() => performance.getEntriesByName('pantau-ready')[0].startTime);
}

/** Bytes received for a first visit (empty cache), by resource. */
async function firstLoad(browser, server) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const urls = new Map();
  const bytes = new Map();
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, { url: e.response.url, encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '' }));
  cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
  await page.goto(server.url);
  const ready = await readyAt(page);
  await page.waitForTimeout(300);
  const rows = [];
  for (const [id, n] of bytes) {
    const { url, encoding } = urls.get(id) ?? { url: id, encoding: '' };
    rows.push({ path: new URL(url).pathname, encoding, bytes: n });
  }
  await context.close();
  return { rows, total: rows.reduce((a, r) => a + r.bytes, 0), ready };
}

/** The installed app reopened offline at 4x CPU slowdown: ms to ready, per trial. */
async function offlineReopen(browser, server) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForServiceWorker(page);
  await readyAt(page);
  await context.setOffline(true);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const times = [];
  for (let i = 0; i < REOPENS; i++) {
    await page.reload();
    times.push(await readyAt(page));
  }
  await context.close();
  return times;
}

async function lighthouseScores(url, port, categories) {
  const result = await lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: categories });
  const lhr = result.lhr;
  const scores = Object.fromEntries(categories.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)]));
  const failing = Object.values(lhr.audits)
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === 'binary')
    .map((a) => a.id);
  return { scores, failing, metrics: lhr.audits };
}

const server = new PantauServer(await freePort());
await server.start();
const browser = await launchChromium();
const profile = mkdtempSync(join(tmpdir(), 'pantau-lighthouse-'));
let chrome;
try {
  const load = await firstLoad(browser, server);
  console.log('\nFirst visit: bytes Chromium received (headers + bodies as sent), until the app is ready\n');
  console.log('| resource | content-encoding | KB |\n|---|---|---:|');
  for (const r of load.rows.sort((a, b) => b.bytes - a.bytes)) console.log(`| ${r.path} | ${r.encoding || '-'} | ${(r.bytes / 1000).toFixed(1)} |`);
  console.log(`| **total** | | **${(load.total / 1000).toFixed(1)}** |`);
  const budget = Number(process.env.PANTAU_FIRST_VISIT_BUDGET_KB ?? 180) * 1000;
  const verdict = load.total <= budget ? 'met' : `NOT met, ${((load.total - budget) / 1000).toFixed(1)} KB over`;
  console.log(`\nBudget: ${budget / 1000} KB: ${verdict}. Ready ${Math.round(load.ready)} ms after navigation (no throttling).`);

  const reopen = await offlineReopen(browser, server);
  console.log(`\nOffline reopen, 4x CPU slowdown, ${REOPENS} reloads: ready after median ${Math.round(median(reopen))} ms, max ${Math.round(Math.max(...reopen))} ms (target ≤ 1,000 ms)`);

  chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
    userDataDir: profile,
  });
  const home = await lighthouseScores(server.url, chrome.port, ['performance', 'accessibility', 'best-practices']);
  console.log('\nLighthouse 13, mobile preset (simulated slow 4G, 4x CPU), first visit to Beranda\n');
  console.log('| category | score | target |\n|---|---:|---:|');
  console.log(`| performance | ${home.scores.performance} | ≥ 95 |`);
  console.log(`| accessibility | ${home.scores.accessibility} | 100 |`);
  console.log(`| best practices | ${home.scores['best-practices']} | 100 |`);
  const m = home.metrics;
  console.log(`\nFCP ${m['first-contentful-paint'].displayValue}, LCP ${m['largest-contentful-paint'].displayValue}, TBT ${m['total-blocking-time'].displayValue}, SI ${m['speed-index'].displayValue}`);
  if (home.failing.length) console.log(`Audits not passed: ${home.failing.join(', ')}`);

  console.log('\nLighthouse accessibility, every screen\n');
  console.log('| screen | accessibility |\n|---|---:|');
  for (const hash of ['#/', '#/baru', '#/baru/checklist', '#/baru/kejadian', '#/baru/hasil', '#/kotak-keluar', '#/pengaturan']) {
    const screen = await lighthouseScores(server.url + hash, chrome.port, ['accessibility']);
    console.log(`| ${hash} | ${screen.scores.accessibility}${screen.failing.length ? ` (${screen.failing.join(', ')})` : ''} |`);
  }
} finally {
  await chrome?.kill();
  await browser.close();
  await server.dispose();
  rmSync(profile, { recursive: true, force: true });
}
