// The installable PWA: it opens with no signal, updates only when the
// volunteer accepts, keeps queued reports across an update, and meets
// Chromium's installability criteria.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { BUILD, serverAndBrowser, launchPhoneProfile, enrolledPhone, fileIncident, fillIncident, goTo, listedReports, waitForServiceWorker, waitForState } from './harness.mjs';

test('the app opens from the cache with no signal, takes a report, and syncs it when the server is back', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const { context, page } = await enrolledPhone(browser, server, 'Tanpa Sinyal');
  await waitForServiceWorker(page);
  // The worker's first install claimed the page: no update to offer (the
  // banner once appeared here and pushed the screen down).
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 200))));
  assert.equal(await page.getByTestId('update').count(), 0, 'no update prompt on a first visit');

  await server.stop();
  await context.setOffline(true);
  await page.reload();
  await page.getByTestId('nav-home').waitFor();
  await fileIncident(page, { description: 'Dibuka tanpa sinyal' });
  await waitForState(page, 'waiting', 1);

  await context.setOffline(false);
  await server.start();
  await page.getByTestId('send-now').click();
  await waitForState(page, 'sent', 1);
  await server.stop();
  const stored = await server.storedReports();
  assert.deepEqual(stored.map((r) => r.report.body.description), ['Dibuka tanpa sinyal']);

  // Only the build is cached: no API answer ever is.
  const cached = await page.evaluate(async () => {
    const urls = [];
    for (const key of await caches.keys()) for (const request of await (await caches.open(key)).keys()) urls.push(new URL(request.url).pathname);
    return urls;
  });
  assert.ok(cached.includes('/index.html') && cached.some((u) => u.endsWith('.wasm')), cached.join(' '));
  assert.ok(!cached.some((u) => u.startsWith('/api/')), cached.join(' '));
  assert.deepEqual(page.errors, []);
});

/** A second build: the same app with a changed page, its worker re-versioned as `cargo xtask build` would. */
function secondBuild() {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-v2-'));
  cpSync(BUILD, dir, { recursive: true });
  const rewrite = (name, change) => {
    const path = join(dir, name);
    const body = change(readFileSync(path, 'utf8'));
    writeFileSync(path, body);
    writeFileSync(`${path}.br`, brotliCompressSync(body));
    writeFileSync(`${path}.gz`, gzipSync(body));
  };
  rewrite('index.html', (html) => html.replace('</body>', '<!-- v2 --></body>'));
  // The built worker is minified: VERSION="…" or VERSION = '…'.
  rewrite('sw.js', (sw) => {
    const next = sw.replace(/(VERSION\s*=\s*)(["'])([^"']+)\2/, '$1$2$3-v2$2');
    assert.notEqual(next, sw, 'the worker names its version');
    return next;
  });
  return dir;
}

test('a new version waits for the volunteer, never while a form is half filled, and queued reports sync once after it', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  const v2 = secondBuild();
  t.after(() => rmSync(v2, { recursive: true, force: true }));
  await server.start();
  const { page } = await enrolledPhone(browser, server, 'Pembaruan');
  await waitForServiceWorker(page);
  const cacheNames = () => page.evaluate(() => caches.keys());
  const [v1Cache] = await cacheNames();

  // Reports queued under v1 (the API refuses everything meanwhile).
  await server.stop();
  await server.start({ faults: 'reset=1' });
  for (const text of ['Sebelum pembaruan 1', 'Sebelum pembaruan 2']) await fileIncident(page, { description: text });

  // v2 is deployed. The browser finds it on the next load; it installs and waits.
  await server.stop();
  await server.start({ faults: 'reset=1', dist: v2 });
  await page.reload();
  await page.waitForFunction(async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting), null, { timeout: 30_000 });
  await goTo(page, 'beranda');
  const prompt = page.getByTestId('update').filter({ hasText: 'Versi baru tersedia' });
  await prompt.waitFor();
  // The volunteer starts typing a report: the prompt goes away, the old version keeps running.
  await fillIncident(page, { description: 'Sedang diketik' });
  await prompt.waitFor({ state: 'detached' });
  assert.ok((await cacheNames()).includes(v1Cache), 'v2 waits: v1 and its cache still serve');
  assert.ok(!(await page.content()).includes('<!-- v2 -->'), 'the page is still v1');
  // The report is saved: the prompt is back.
  await page.getByTestId('save').click();
  await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();
  await prompt.waitFor();

  // Accepting it reloads into v2, which removed v1's cache.
  await server.stop();
  await server.start({ dist: v2 });
  await Promise.all([page.waitForEvent('load'), page.getByTestId('update').getByRole('button').click()]);
  await page.getByTestId('nav-home').waitFor();
  await page.waitForFunction((old) => caches.keys().then((keys) => keys.length === 1 && keys[0] !== old), v1Cache);
  assert.ok((await page.content()).includes('<!-- v2 -->'), 'the page is v2');

  await waitForState(page, 'sent', 3);
  await server.stop();
  const stored = await server.storedReports();
  assert.equal(stored.length, 3, 'each queued report arrived exactly once');
  assert.deepEqual(stored.map((r) => r.report.body.description).sort(), ['Sebelum pembaruan 1', 'Sebelum pembaruan 2', 'Sedang diketik']);
  assert.deepEqual((await listedReports(page)).map((r) => r.state), ['sent', 'sent', 'sent']);
});

test('the manifest and service worker meet Chromium\'s installability criteria', async (t) => {
  const { server } = await serverAndBrowser(t);
  await server.start();
  // A profile on disk: Chromium never offers installation in incognito.
  const profile = mkdtempSync(join(tmpdir(), 'pantau-install-'));
  const context = await launchPhoneProfile(profile);
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForServiceWorker(page);
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);
  const manifest = await cdp.send('Page.getAppManifest');
  assert.deepEqual(manifest.errors, []);
  const parsed = JSON.parse(manifest.data);
  assert.equal(parsed.lang, 'id');
  assert.equal(parsed.display, 'standalone');
  assert.ok(parsed.icons.some((i) => i.purpose === 'maskable'));
  for (const icon of parsed.icons) {
    const response = await page.request.get(new URL(icon.src, server.url).href);
    assert.equal(response.headers()['content-type'], 'image/png', icon.src);
    const png = await response.body();
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    assert.equal(`${width}x${height}`, icon.sizes, `${icon.src} is really ${icon.sizes}`);
  }
});
