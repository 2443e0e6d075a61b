// Evidence end to end: real JPEG files made by the test, reduced in the
// built PWA in Chromium, kept on the phone, uploaded to the real server;
// bad files named at the photo; the phone's position granted, denied and
// timing out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { serverAndBrowser, enrolWithLink, fillIncident, waitForState, openDesk, launchPhoneProfile, openScreen, listedReports, CuttableProxy } from './harness.mjs';

import { sha256, cameraJpeg, grainyJpeg, jpegFacts, fiftyMegapixelHeader, CAMERA_TIME } from './photo_files.mjs';

async function phone(browser, server, { permissions = [], geolocation, init } = {}) {
  const link = await server.addVolunteer('Sari Wulandari', '6471011001-003');
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID', permissions, geolocation });
  if (init) await context.addInitScript(init);
  const page = await enrolWithLink(context, link, 'Sari Wulandari');
  return { context, page };
}

test('a 12-megapixel photo with EXIF GPS is reduced, stripped, kept across a reload and stored byte for byte', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const { page } = await phone(browser, server);
  const original = await cameraJpeg(page, 4000, 3000);
  assert.deepEqual(jpegFacts(original), { size: [4000, 3000], exif: true });

  const description = 'Amplop dibagikan di depan TPS 003';
  await fillIncident(page, { description, category: 'vote_buying' });
  await page.getByTestId('photo-pick').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: original });
  const thumb = page.getByTestId('photos').getByTestId('photo');
  await thumb.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=photos] img')?.naturalWidth > 0);

  // The draft keeps its photo across a reload, thumbnail included.
  await page.reload();
  await page.getByTestId('incident-form').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=photos] img')?.naturalWidth > 0);
  assert.equal(await page.getByLabel('Uraian kejadian').inputValue(), description);

  await page.getByTestId('save').click();
  await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();
  await waitForState(page, 'sent', 1);
  assert.match(await page.getByTestId('photo-state').textContent(), /1 foto/);

  // What the phone kept is what the server stored.
  const kept = await page.evaluate(async () => {
    const db = await new Promise((ok, no) => { const r = indexedDB.open('pantau'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    const store = db.transaction('photos').objectStore('photos');
    const [key] = await new Promise((ok) => { const r = store.getAllKeys(); r.onsuccess = () => ok(r.result); });
    const blob = await new Promise((ok) => { const r = db.transaction('photos').objectStore('photos').get(key); r.onsuccess = () => ok(r.result); });
    return { key, bytes: Array.from(new Uint8Array(await blob.arrayBuffer())) };
  });
  const phoneBytes = Buffer.from(kept.bytes);
  assert.equal(sha256(phoneBytes), kept.key, 'named by its own SHA-256');
  const stored = join(server.dir, 'photos', 'objects', kept.key.slice(0, 2), kept.key);
  assert.ok(existsSync(stored), `the server holds ${stored}`);
  const serverBytes = readFileSync(stored);
  assert.equal(sha256(serverBytes), kept.key, "the server's copy is the phone's, byte for byte");
  const facts = jpegFacts(serverBytes);
  assert.deepEqual(facts.size, [1600, 1200], 'long edge 1600 px, proportions kept');
  assert.equal(facts.exif, false, 'no EXIF: neither the phone model nor its GPS leaves the phone');
  assert.ok(!serverBytes.includes(Buffer.from('PantauTestPhone')));
  assert.ok(serverBytes.length < 1_000_000, `${serverBytes.length} bytes`);
  t.diagnostic(`12 MP photo of ${original.length} bytes stored as ${serverBytes.length} bytes`);
  assert.deepEqual(page.errors, []);
  // The capture time leaves EXIF for the report (in the phone's offset, as
  // the report's own time is).
  const [filed] = (await server.storedReports()).filter((r) => r.report.body.description === description);
  assert.deepEqual(filed.report.photos.map((p) => [p.sha256, Date.parse(p.taken_at)]), [[kept.key, Date.parse(CAMERA_TIME)]]);

  // The coordinator sees it with the report, and the export's link opens it.
  const desk = await openDesk(browser, await server.addCoordinator('Panwascam', '647101'));
  const row = desk.page.locator('[data-testid=report-row]', { hasText: description }).first();
  await row.locator('a').click();
  await desk.page.waitForFunction(() => document.querySelector('[data-testid=report-photos] img')?.naturalWidth > 0);
  assert.match(await desk.page.getByTestId('photo-taken').textContent(), /^Diambil 14 Feb,? 07[.:]41$/);
  await desk.page.goto(new URL(`/desk/foto/${kept.key}`, server.url).href);
  await desk.page.waitForFunction(() => document.querySelector('[data-testid=photo-full]')?.naturalWidth === 1600);
  assert.deepEqual(desk.page.errors, []);
});

test('a file that is not a usable photo is named at the photo and the form is kept', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const { page } = await phone(browser, server);
  const good = await cameraJpeg(page, 800, 600);
  const description = 'Kotak suara tidak disegel';
  await fillIncident(page, { description });
  const pick = page.getByTestId('photo-pick');
  const problem = page.getByTestId('photos').getByTestId('photo-problem');
  const cases = [
    [{ name: 'catatan.txt', mimeType: 'text/plain', buffer: Buffer.from('bukan foto') }, /bukan foto/],
    [{ name: 'potong.jpg', mimeType: 'image/jpeg', buffer: good.subarray(0, Math.floor(good.length / 2)) }, /tidak utuh/],
    // A 50-megapixel frame header: refused before it is decoded.
    [{ name: 'besar.jpg', mimeType: 'image/jpeg', buffer: fiftyMegapixelHeader() }, /terlalu besar.*8160×6120/],
    [{ name: 'IMG_0002.heic', mimeType: 'image/heic', buffer: Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(64)]) }, /tidak bisa dibaca/],
  ];
  for (const [file, message] of cases) {
    await pick.setInputFiles(file);
    await problem.filter({ hasText: message }).waitFor({ timeout: 15_000 });
  }
  assert.equal(await page.getByTestId('photos').getByTestId('photo').count(), 0);
  assert.equal(await page.getByLabel('Uraian kejadian').inputValue(), description);
  // A good photo after all that is taken, and the report saves with it.
  await pick.setInputFiles({ name: 'ok.jpg', mimeType: 'image/jpeg', buffer: good });
  await page.getByTestId('photos').getByTestId('photo').waitFor();
  assert.equal(await problem.textContent(), '');
  await page.getByTestId('save').click();
  await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();
  await waitForState(page, 'sent', 1);
  assert.deepEqual(page.errors, []);
});

test('the location is added when granted, and its absence is said when denied or too slow, never blocking the save', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();

  const granted = await phone(browser, server, { permissions: ['geolocation'], geolocation: { latitude: -1.265386, longitude: 116.831235, accuracy: 25 } });
  await fillIncident(granted.page, { description: 'Dengan lokasi' });
  await granted.page.getByTestId('location-use').click();
  const found = granted.page.getByTestId('location-found');
  await found.waitFor();
  assert.match(await found.textContent(), /±25 m · -1\.265386, 116\.831235/);
  await granted.page.getByTestId('save').click();
  await granted.page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();
  await waitForState(granted.page, 'sent', 1);

  const denied = await phone(browser, server, { init: () => {
    navigator.geolocation.getCurrentPosition = (_ok, fail) => setTimeout(() => fail({ code: 1, message: 'User denied Geolocation' }), 10);
  } });
  await fillIncident(denied.page, { description: 'Izin ditolak' });
  await denied.page.getByTestId('location-use').click();
  await denied.page.getByTestId('location-problem').filter({ hasText: 'Izin lokasi ditolak' }).waitFor();
  await denied.page.getByTestId('save').click();
  await denied.page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();

  // A phone that never answers (no fix indoors, a prompt left open): given up after 10 s.
  const silent = await phone(browser, server, { init: () => { navigator.geolocation.getCurrentPosition = () => {}; } });
  await fillIncident(silent.page, { description: 'Tanpa sinyal GPS' });
  await silent.page.getByTestId('location-use').click();
  await silent.page.getByTestId('location-problem').filter({ hasText: 'dalam 10 detik' }).waitFor({ timeout: 20_000 });
  await silent.page.getByTestId('save').click();
  await silent.page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();

  // The server holds the position of the first only, as GeoJSON.
  const desk = await server.addCoordinator('Bawaslu Kota', null);
  const code = desk.split('#masuk=')[1];
  const session = await (await fetch(new URL('/api/v1/desk/sign-in', server.url), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }),
  })).json();
  const geojson = await (await fetch(new URL('/api/v1/reports.geojson', server.url), { headers: { authorization: `Bearer ${session.token}` } })).json();
  assert.equal(geojson.features.length, 1);
  assert.deepEqual(geojson.features[0].geometry.coordinates, [116.831235, -1.265386]);
  for (const p of [granted.page, denied.page, silent.page]) assert.deepEqual(p.errors, []);
});

test('a 300 KB photo arrives over a GPRS link (40 kbit/s) that drops every 20 seconds', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const gprs = await new CuttableProxy(server.url).start();
  let drops;
  t.after(() => { clearInterval(drops); return gprs.stop(); });
  const link = (await server.addVolunteer('Sari Wulandari', '6471011001-003')).replace(server.url, gprs.url);
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID' });
  const page = await enrolWithLink(context, link, 'Sari Wulandari');

  await context.setOffline(true);
  const description = 'Foto C.Hasil lewat sinyal GPRS';
  await fillIncident(page, { description });
  await page.getByTestId('photo-pick').setInputFiles({ name: 'C_HASIL.jpg', mimeType: 'image/jpeg', buffer: await grainyJpeg(page, 1600, 1200, 0.28) });
  await page.waitForFunction(() => document.querySelector('[data-testid=photos] img')?.naturalWidth > 0);
  await page.getByTestId('save').click();
  await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();

  // 40 kbit/s each way, and every connection dropped every 20 s: no request
  // can carry the photo whole, so it arrives only by resuming.
  gprs.slowTo(5_000);
  let dropped = 0;
  drops = setInterval(() => { gprs.cut(); gprs.restore(); dropped++; }, 20_000);
  const started = Date.now();
  const before = gprs.carried.up;
  await context.setOffline(false);
  await waitForState(page, 'sent', 1, { timeout: 600_000 });
  clearInterval(drops);
  const up = gprs.carried.up - before;

  await server.stop();
  const [filed] = (await server.storedReports()).filter((r) => r.report.body.description === description);
  const [photo] = filed.report.photos;
  assert.ok(photo.bytes >= 300_000, `a photo of ${photo.bytes} bytes`);
  // No connection lives past 20 s (100 KB at this speed): two drops at least.
  assert.ok(dropped >= 2, `the link dropped ${dropped} times while it was sent`);
  t.diagnostic(`${photo.bytes} bytes sent in ${Math.round((Date.now() - started) / 1000)} s through ${dropped} drops; ${up} bytes went up (${(up / photo.bytes).toFixed(2)} per photo byte)`);
  const stored = readFileSync(join(server.dir, 'photos', 'objects', photo.sha256.slice(0, 2), photo.sha256));
  assert.equal(sha256(stored), photo.sha256, 'stored whole, byte for byte');
  assert.deepEqual(page.errors, []);
});

test('30 reports with 2 photos each, filed offline, arrive through flaps, resets, cut uploads and lost answers: each report and photo once', async (t) => {
  const REPORTS = 30;
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const { context, page } = await phone(browser, server);
  await context.setOffline(true);
  const photos = [];
  for (let n = 0; n < REPORTS; n++) {
    const pair = [await cameraJpeg(page, 1200, 900, `L${n}a`), await cameraJpeg(page, 1200, 900, `L${n}b`)];
    photos.push(...pair);
    await fillIncident(page, { description: `Laporan berfoto ${n}` });
    await page.getByTestId('photo-pick').setInputFiles(pair.map((buffer, i) => ({ name: `IMG_${n}_${i}.jpg`, mimeType: 'image/jpeg', buffer })));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=photos] [data-testid=photo]').length === 2);
    await page.getByTestId('save').click();
    await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();
    await page.waitForFunction(() => document.querySelector('#description').value === '');
  }
  // A server that resets connections, cuts uploads part way and loses answers after committing.
  await server.stop();
  await server.start({ faults: 'reset=0.1,cut=0.25,drop=0.2,seed=23' });
  await context.setOffline(false);
  await page.getByTestId('nav-outbox').click();
  for (let flap = 0; flap < 4; flap++) {
    await page.getByTestId('send-now').click().catch(() => {});
    await new Promise((r) => setTimeout(r, 1500));
    await context.setOffline(true);
    await new Promise((r) => setTimeout(r, 500));
    await context.setOffline(false);
  }
  await page.getByTestId('send-now').click().catch(() => {});
  try {
    await waitForState(page, 'sent', REPORTS, { timeout: 240_000 });
  } catch (e) {
    t.diagnostic((await page.getByTestId('outbox').textContent()).slice(0, 3000));
    t.diagnostic(server.log.slice(-3000));
    throw e;
  }

  await server.stop();
  const stored = await server.storedReports();
  assert.equal(stored.length, REPORTS, 'each report once');
  assert.equal(new Set(stored.map((r) => r.report.id)).size, REPORTS);
  const named = stored.flatMap((r) => r.report.photos.map((p) => p.sha256));
  assert.equal(new Set(named).size, 2 * REPORTS, 'two distinct photos on each');
  const objects = join(server.dir, 'photos', 'objects');
  const files = readdirSync(objects).flatMap((dir) => readdirSync(join(objects, dir)).map((name) => join(objects, dir, name)));
  assert.equal(files.length, 2 * REPORTS, 'each photo stored once');
  for (const file of files) {
    const name = file.split('/').pop();
    assert.ok(named.includes(name), `${name} is a report's photo`);
    assert.equal(sha256(readFileSync(file)), name, `${name}: byte for byte`);
  }
  assert.deepEqual(page.errors, []);
});

test('a full disk: the report with photos is not saved and says so, and earlier reports and photos are intact', async (t) => {
  const { server } = await serverAndBrowser(t);
  await server.start();
  const profile = mkdtempSync(join(tmpdir(), 'pantau-full-'));
  t.after(() => rmSync(profile, { recursive: true, force: true }));
  let phone = await launchPhoneProfile(profile);
  let page = await enrolWithLink(phone, await server.addVolunteer('Penuh', '6471011001-3'), 'Penuh');
  await server.stop();
  await server.start({ faults: 'reset=1' });
  // An earlier report with its photo, waiting; then a draft with a photo picked before the disk filled.
  const earlier = await cameraJpeg(page, 800, 600, 'sebelum');
  await fillIncident(page, { description: 'Sebelum penuh' });
  await page.getByTestId('photo-pick').setInputFiles({ name: 'a.jpg', mimeType: 'image/jpeg', buffer: earlier });
  await page.getByTestId('photos').getByTestId('photo').waitFor();
  await page.getByTestId('save').click();
  await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();
  await fillIncident(page, { description: 'Sesudah penuh' });
  const later = await cameraJpeg(page, 800, 600, 'sesudah');
  await page.getByTestId('photo-pick').setInputFiles({ name: 'b.jpg', mimeType: 'image/jpeg', buffer: later });
  await page.getByTestId('photos').getByTestId('photo').waitFor();
  await phone.close();

  // The disk is full (a quota override holds from a fresh session's first write).
  phone = await launchPhoneProfile(profile);
  page = await phone.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  const cdp = await phone.newCDPSession(page);
  const origin = server.url.replace(/\/$/, '');
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
  await page.goto(server.url);
  await waitForState(page, 'waiting', 1);
  await openScreen(page, '#/baru/kejadian', 'incident-form');
  await page.getByTestId('save').click();
  const message = page.getByTestId('form-message');
  await message.filter({ hasText: 'Tidak tersimpan' }).waitFor();
  assert.match(await message.textContent(), /penuh/);
  // A photo picked now is not kept either, and says so at the photo.
  await page.getByTestId('photo-pick').setInputFiles({ name: 'c.jpg', mimeType: 'image/jpeg', buffer: await cameraJpeg(page, 640, 480, 'penuh') });
  await page.getByTestId('photos').getByTestId('photo-problem').filter({ hasText: 'Foto tidak tersimpan' }).waitFor();
  assert.equal(await page.getByLabel('Uraian kejadian').inputValue(), 'Sesudah penuh', 'the form is kept');
  assert.equal(await page.getByTestId('photos').getByTestId('photo').count(), 1, 'the photo picked before stays');
  assert.deepEqual((await listedReports(page)).map((r) => r.text), ['Sebelum penuh']);

  // Room again: the same draft saves, and both reports deliver with their photos.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await server.stop();
  await server.start();
  await page.reload();
  await openScreen(page, '#/baru/kejadian', 'incident-form');
  await page.getByTestId('save').click();
  await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();
  await waitForState(page, 'sent', 2);
  await phone.close();
  await server.stop();
  const stored = await server.storedReports();
  const names = stored.flatMap((row) => row.report.photos.map((p) => p.sha256)).sort();
  assert.equal(names.length, 2);
  for (const name of names) {
    assert.equal(sha256(readFileSync(join(server.dir, 'photos', 'objects', name.slice(0, 2), name))), name);
  }
  assert.deepEqual(page.errors, []);
});
