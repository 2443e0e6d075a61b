// Evidence end to end: real JPEG files made by the test, reduced in the
// built PWA in Chromium, kept on the phone, uploaded to the real server;
// bad files named at the photo; the phone's position granted, denied and
// timing out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, enrolWithLink, fillIncident, waitForState, openDesk } from './harness.mjs';

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** An EXIF APP1 segment naming a phone and a GPS latitude, as cameras write them. */
function exifSegment() {
  const make = Buffer.from('PantauTestPhone\0', 'latin1');
  const tiff = Buffer.alloc(8 + 2 + 2 * 12 + 4 + make.length + 2 + 2 * 12 + 4 + 24);
  let at = 0;
  tiff.write('II', 0, 'latin1'); tiff.writeUInt16LE(42, 2); tiff.writeUInt32LE(8, 4); at = 8;
  const ifd0 = 8;
  const makeAt = ifd0 + 2 + 2 * 12 + 4;
  const gpsAt = makeAt + make.length;
  const rationalsAt = gpsAt + 2 + 2 * 12 + 4;
  tiff.writeUInt16LE(2, at); at += 2;
  // Make (ASCII), GPSInfo (LONG offset).
  tiff.writeUInt16LE(0x010f, at); tiff.writeUInt16LE(2, at + 2); tiff.writeUInt32LE(make.length, at + 4); tiff.writeUInt32LE(makeAt, at + 8); at += 12;
  tiff.writeUInt16LE(0x8825, at); tiff.writeUInt16LE(4, at + 2); tiff.writeUInt32LE(1, at + 4); tiff.writeUInt32LE(gpsAt, at + 8); at += 12;
  tiff.writeUInt32LE(0, at); at += 4;
  make.copy(tiff, makeAt); at = gpsAt;
  tiff.writeUInt16LE(2, at); at += 2;
  // GPSLatitudeRef "S", GPSLatitude 1° 15' 55".
  tiff.writeUInt16LE(1, at); tiff.writeUInt16LE(2, at + 2); tiff.writeUInt32LE(2, at + 4); tiff.write('S\0', at + 8, 'latin1'); at += 12;
  tiff.writeUInt16LE(2, at); tiff.writeUInt16LE(5, at + 2); tiff.writeUInt32LE(3, at + 4); tiff.writeUInt32LE(rationalsAt, at + 8); at += 12;
  tiff.writeUInt32LE(0, at); at = rationalsAt;
  for (const [n, d] of [[1, 1], [15, 1], [55, 1]]) { tiff.writeUInt32LE(n, at); tiff.writeUInt32LE(d, at + 4); at += 8; }
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0); header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

/** A `width`×`height` JPEG drawn by Chromium (a busy scene, like a tally sheet), with EXIF GPS added. */
async function cameraJpeg(page, width, height, label = '') {
  const base64 = await page.evaluate(async ([width, height, label]) => {
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext('2d');
    g.fillStyle = '#f4f1e8'; g.fillRect(0, 0, width, height);
    g.fillStyle = '#222'; g.font = `${Math.round(height / 40)}px sans-serif`;
    for (let y = 1; y < 40; y++) g.fillText(`${label} Baris ${y}: 0${y * 7} suara sah, ${y * 3} tidak sah`, 40, (y * height) / 40);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }, [width, height, label]);
  const jpeg = Buffer.from(base64, 'base64');
  return Buffer.concat([jpeg.subarray(0, 2), exifSegment(), jpeg.subarray(2)]);
}

/** The JPEG's frame size and whether it holds an EXIF segment. */
function jpegFacts(bytes) {
  let i = 2;
  let exif = false;
  let size = null;
  while (i + 4 < bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    const length = bytes.readUInt16BE(i + 2);
    if (marker === 0xe1 && bytes.subarray(i + 4, i + 8).toString('latin1') === 'Exif') exif = true;
    if (marker >= 0xc0 && marker <= 0xc3) size = [bytes.readUInt16BE(i + 7), bytes.readUInt16BE(i + 5)];
    if (marker === 0xda) break;
    i += 2 + length;
  }
  return { size, exif };
}

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

  // The coordinator sees it with the report, and the export's link opens it.
  const desk = await openDesk(browser, await server.addCoordinator('Panwascam', '647101'));
  const row = desk.page.locator('[data-testid=report-row]', { hasText: description }).first();
  await row.locator('a').click();
  await desk.page.waitForFunction(() => document.querySelector('[data-testid=report-photos] img')?.naturalWidth > 0);
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

/** SOI, a baseline frame header of 8160×6120, a scan and EOI: the size of a 50 MP camera's photo. */
function fiftyMegapixelHeader() {
  const sof = Buffer.from([0xff, 0xc0, 0, 11, 8, 6120 >> 8, 6120 & 255, 8160 >> 8, 8160 & 255, 1, 1, 0x11, 0]);
  const sos = Buffer.from([0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, sos, Buffer.from([0x12, 0x34, 0xff, 0xd9])]);
}

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
