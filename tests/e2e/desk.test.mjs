// The coordinators' desk end to end: the real server, the built desk and the
// built volunteers' app in Chromium. A report filed on a phone reaches the
// desk live; coordinators review it, with a conflict between two of them; a
// desk that lost its connection catches up; a revoked desk is signed out, and
// a review typed when the session ended is still there after the next sign-in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { serverAndBrowser, enrolledPhone, fileIncident, waitForState, openDesk, CuttableProxy } from './harness.mjs';
import { incident, seedPollingDay } from './desk_data.mjs';

/** The arrival numbers of the report rows in `section` (a locator), top to bottom. */
async function rowSeqs(section) {
  return section.locator('[data-testid=report-row]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.seq)));
}

test('an urgent incident filed on a phone is on top of the desk at once, and its verification is in the history', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  await seedPollingDay(server);
  const desk = await openDesk(browser, await server.addCoordinator('Panwascam Balikpapan Timur', '647101'));
  const { page: phone } = await enrolledPhone(browser, server, 'Sari Wulandari', '6471011001-003');

  const description = 'Tim sukses membagikan amplop di depan TPS 003';
  await fileIncident(phone, { place: 'Depan TPS', description, category: 'vote_buying', urgent: true });
  await waitForState(phone, 'sent', 1);
  const sentAt = Date.now();
  const attention = desk.page.getByTestId('attention');
  const first = attention.locator('[data-testid=report-row]').first();
  await first.filter({ hasText: description }).waitFor({ timeout: 10_000 });
  t.diagnostic(`on the desk ${Date.now() - sentAt} ms after the phone said sent`);
  assert.match(await first.textContent(), /MENDESAK/);
  // Also first among the latest reports, above the seeded ones.
  const latest = desk.page.locator('section', { has: desk.page.getByRole('heading', { name: 'Laporan terbaru' }) });
  assert.match(await latest.locator('[data-testid=report-row]').first().textContent(), new RegExp(description));

  await first.locator('a').click();
  await desk.page.getByTestId('report-detail').filter({ hasText: description }).waitFor();
  await desk.page.getByLabel('Terverifikasi').check();
  const note = '=HYPERLINK("x") Dua saksi membenarkan <b>amplop</b>';
  await desk.page.getByLabel('Catatan (boleh kosong)').fill(note);
  await desk.page.getByRole('button', { name: 'Simpan tinjauan' }).click();
  await desk.page.getByText('Tinjauan tersimpan.').waitFor();
  const review = desk.page.getByTestId('review');
  assert.equal(await review.getByTestId('review-badge').first().textContent(), 'Terverifikasi');
  const history = desk.page.getByTestId('history');
  assert.match(await history.textContent(), /Baru → Terverifikasi/);
  assert.match(await history.textContent(), /Panwascam Balikpapan Timur/);
  // The note is text, as typed: no markup, no formula.
  assert.equal(await history.locator('.report-text').first().textContent(), note);
  assert.equal(await history.locator('b').count(), 0);

  // Taken up: it leaves "Perlu perhatian".
  await desk.page.getByRole('link', { name: 'Beranda' }).click();
  await attention.getByText('Tidak ada kejadian mendesak yang menunggu.').waitFor();
  assert.equal(await attention.getByText(description).count(), 0);
  // A reload keeps the screen and the session.
  await desk.page.reload();
  await desk.page.getByTestId('live-status').filter({ hasText: 'Langsung' }).waitFor();
  assert.deepEqual(desk.page.errors, []);
  assert.deepEqual(phone.errors, []);
});

test("a second coordinator's stale change gets 409 and the desk shows the current state, keeping the note", async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const token = await server.volunteerToken('Budi Santoso', '6471011002-001');
  const report = incident('6471011002-001', 'Kotak suara tidak disegel saat dibawa ke PPS');
  await server.postReports(token, [report]);
  const ani = await openDesk(browser, await server.addCoordinator('Ani (Panwascam)', '647101'));
  const eko = await openDesk(browser, await server.addCoordinator('Eko (Bawaslu Kota)', '6471'));
  for (const desk of [ani, eko]) {
    await desk.page.goto(new URL(`/desk/laporan/${report.id}`, server.url).href);
    await desk.page.getByTestId('review-badge').filter({ hasText: 'Baru' }).first().waitFor();
  }
  await ani.page.getByLabel('Terverifikasi').check();
  await ani.page.getByRole('button', { name: 'Simpan tinjauan' }).click();
  await ani.page.getByText('Tinjauan tersimpan.').waitFor();

  // Eko still sees Baru and decides otherwise.
  await eko.page.getByLabel('Tidak terbukti').check();
  await eko.page.getByLabel('Catatan (boleh kosong)').fill('Segel ada, hanya tertutup plastik');
  await eko.page.getByRole('button', { name: 'Simpan tinjauan' }).click();
  const conflict = eko.page.getByTestId('review-conflict');
  await conflict.waitFor();
  assert.match(await conflict.textContent(), /Terverifikasi/);
  assert.equal(await eko.page.getByTestId('review-badge').first().textContent(), 'Terverifikasi');
  assert.match(await eko.page.getByTestId('history').textContent(), /Ani \(Panwascam\)/);
  assert.equal(await eko.page.getByLabel('Catatan (boleh kosong)').inputValue(), 'Segel ada, hanya tertutup plastik');

  // Having seen it, Eko saves again: now based on the current version.
  await eko.page.getByRole('button', { name: 'Simpan tinjauan' }).click();
  await eko.page.getByText('Tinjauan tersimpan.').waitFor();
  assert.equal(await eko.page.getByTestId('history').locator('li').count(), 2);
  assert.equal(await eko.page.getByTestId('review-badge').first().textContent(), 'Tidak terbukti');
  assert.deepEqual([...ani.page.errors, ...eko.page.errors], []);
});

test('a desk that loses its connection for 30 seconds while 100 reports arrive shows all 100, none twice', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const token = await server.volunteerToken('Rina Marlina', '647101');
  await server.postReports(token, [incident('6471011001-001', 'Sebelum putus')]);
  // The desk reaches the server through a link the test can cut.
  const wifi = await new CuttableProxy(server.url).start();
  t.after(() => wifi.stop());
  const link = (await server.addCoordinator('Panwascam Balikpapan Timur', '647101')).replace(server.url, wifi.url);
  const desk = await openDesk(browser, link);
  await desk.page.getByRole('link', { name: 'Laporan', exact: true }).click();
  await desk.page.getByTestId('report-row').first().waitFor();

  wifi.cut();
  const cutAt = Date.now();
  await desk.page.getByTestId('live-status').filter({ hasText: 'Terputus' }).waitFor();
  const reports = Array.from({ length: 100 }, (_, i) => incident(`6471011001-${String((i % 20) + 1).padStart(3, '0')}`, `Laporan ${i + 1} saat meja terputus`));
  await server.postReports(token, reports);
  await desk.page.waitForTimeout(Math.max(0, 30_000 - (Date.now() - cutAt)));
  const list = desk.page.locator('main');
  assert.equal(await list.getByText('saat meja terputus').count(), 0, 'nothing came through while cut off');
  wifi.restore();

  await desk.page.waitForFunction(() => document.querySelectorAll('[data-testid=report-row]').length >= 101, null, { timeout: 30_000 });
  await desk.page.getByTestId('live-status').filter({ hasText: 'Langsung' }).waitFor();
  await desk.page.waitForTimeout(500); // nothing more may come
  const seqs = await rowSeqs(list);
  assert.equal(seqs.length, 101);
  assert.equal(new Set(seqs).size, 101, 'no report twice');
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
  const texts = await list.locator('[data-testid=report-row] .row-summary').allTextContents();
  for (let i = 1; i <= 100; i += 1) assert.ok(texts.includes(`Laporan ${i} saat meja terputus`), `report ${i}`);
  assert.deepEqual(desk.page.errors, []);
});

test('the filter lives in the link, the export follows it, and a revoked desk returns to sign-in saying why', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  await seedPollingDay(server);
  const desk = await openDesk(browser, await server.addCoordinator('Panwaslu Kota', '6471'));
  // A colleague's link: urgent incidents of Kecamatan Balikpapan Barat.
  await desk.page.goto(new URL('/desk/laporan?kind=incident&urgent=true&area=647102', server.url).href);
  await desk.page.getByTestId('shown-count').filter({ hasText: /^1 laporan/ }).waitFor();
  assert.match(await desk.page.getByTestId('report-row').textContent(), /Amplop dibagikan/);
  assert.equal(await desk.page.getByLabel('Jenis', { exact: true }).inputValue(), 'incident');
  assert.equal(await desk.page.getByLabel('Hanya yang mendesak').isChecked(), true);

  // A new filter from the form changes the link.
  await desk.page.getByLabel('Hanya yang mendesak').uncheck();
  await desk.page.getByLabel('Wilayah', { exact: true }).selectOption('647101');
  await desk.page.getByRole('button', { name: 'Cari' }).click();
  await desk.page.waitForURL(/\/desk\/laporan\?kind=incident&area=647101$/);
  await desk.page.getByTestId('shown-count').filter({ hasText: /^2 laporan/ }).waitFor();

  const [download] = await Promise.all([desk.page.waitForEvent('download'), desk.page.getByRole('button', { name: 'Unduh CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.equal(csv.trim().split('\n').length, 3, `header and the 2 listed:\n${csv}`);
  const [xlsx] = await Promise.all([desk.page.waitForEvent('download'), desk.page.getByRole('button', { name: 'Unduh Excel' }).click()]);
  assert.equal(xlsx.suggestedFilename(), 'laporan-pantau.xlsx');
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK', 'an XLSX is a zip');

  // Revoked on the server: the next call ends the session, and the desk says why.
  const listed = await server.cli('coordinator', 'list');
  const id = listed.split('\n').find((l) => l.includes('Panwaslu Kota')).trim().split(/\s+/)[0];
  await server.cli('coordinator', 'revoke', id);
  // The server keeps a token it checked for up to 5 s (TOKEN_CACHE_TTL).
  await desk.page.waitForTimeout(5_500);
  await desk.page.getByRole('link', { name: 'Cakupan', exact: true }).click();
  await desk.page.getByTestId('signed-out-reason').filter({ hasText: 'tidak berlaku lagi' }).waitFor();
  assert.equal(await desk.page.getByLabel('Kode masuk').count(), 1);
  assert.deepEqual(desk.page.errors, []);
});

test('a new sign-in link opened in an open desk replaces its session, and the old one signs nothing out', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const desk = await openDesk(browser, await server.addCoordinator('Panwascam Balikpapan Timur', '647101'));
  const id = (await server.cli('coordinator', 'list')).split('\n').find((l) => l.includes('Panwascam')).trim().split(/\s+/)[0];
  const again = (await server.cli('coordinator', 'link', id, '--base-url', server.url)).match(/^sign-in link: (\S+)$/m)[1];
  // The same page: only the fragment changes, so the desk is not reloaded.
  await desk.page.goto(again);
  await desk.page.waitForFunction(() => !location.hash.includes('masuk='));
  // The old token is refused from now on (after the server's 5 s token cache).
  await desk.page.waitForTimeout(5_500);
  await desk.page.getByRole('link', { name: 'Laporan', exact: true }).click();
  await desk.page.getByTestId('shown-count').waitFor();
  await desk.page.getByTestId('live-status').filter({ hasText: 'Langsung' }).waitFor();
  const token = await server.volunteerToken('Rina Marlina', '647101');
  await server.postReports(token, [incident('6471011002-004', 'Masuk lewat sesi yang baru')]);
  await desk.page.getByTestId('report-row').filter({ hasText: 'Masuk lewat sesi yang baru' }).waitFor({ timeout: 10_000 });
  assert.equal(await desk.page.getByTestId('signed-out-reason').count(), 0);
  assert.equal(await desk.page.getByTestId('report-row').filter({ hasText: 'Masuk lewat sesi yang baru' }).count(), 1, 'once, not once per feed');
  assert.deepEqual(desk.page.errors, []);
});

test('a review typed when the session ends is there after signing in again, only for her, and signing out forgets it', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const token = await server.volunteerToken('Budi Santoso', '6471011002-001');
  const report = incident('6471011002-001', 'Surat suara sudah dicoblos sebelum TPS dibuka');
  await server.postReports(token, [report]);
  const desk = await openDesk(browser, await server.addCoordinator('Ani (Panwascam)', '647101'));
  const ekoLink = await server.addCoordinator('Eko (Bawaslu Kota)', '6471');
  const reportUrl = new URL(`/desk/laporan/${report.id}`, server.url).href;
  const openReport = async (badge) => {
    await desk.page.goto(reportUrl);
    await desk.page.getByTestId('review-badge').filter({ hasText: badge }).first().waitFor();
  };
  await openReport('Baru');
  await desk.page.getByLabel('Tidak terbukti').check();
  const note = 'Saksi belum bisa dihubungi; dicek lagi besok pagi';
  await desk.page.getByLabel('Catatan (boleh kosong)').fill(note);

  // Meanwhile her session ends: a sign-in elsewhere replaces it.
  const id = (await server.cli('coordinator', 'list')).split('\n').find((l) => l.includes('Ani')).trim().split(/\s+/)[0];
  const aniLink = async () => (await server.cli('coordinator', 'link', id, '--base-url', server.url)).match(/^sign-in link: (\S+)$/m)[1];
  const elsewhere = await openDesk(browser, await aniLink());
  await elsewhere.context.close();
  // The server keeps a token it checked for up to 5 s (TOKEN_CACHE_TTL).
  await desk.page.waitForTimeout(5_500);
  await desk.page.getByRole('button', { name: 'Simpan tinjauan' }).click();
  await desk.page.getByLabel('Kode masuk').waitFor();

  // A colleague signs in at this tab: he does not find her review, and verifies the report.
  await desk.page.goto(ekoLink);
  await desk.page.getByTestId('live-status').filter({ hasText: 'Langsung' }).waitFor();
  await openReport('Baru');
  assert.equal(await desk.page.getByLabel('Catatan (boleh kosong)').inputValue(), '');
  assert.equal(await desk.page.getByLabel('Tidak terbukti').isChecked(), false);
  await desk.page.getByLabel('Terverifikasi').check();
  await desk.page.getByRole('button', { name: 'Simpan tinjauan' }).click();
  await desk.page.getByText('Tinjauan tersimpan.').waitFor();

  // She signs in again at this tab: her review is as she typed it, and the desk
  // says the review changed since, as a 409 would, so nothing is overwritten unseen.
  await desk.page.goto(await aniLink());
  await desk.page.getByTestId('live-status').filter({ hasText: 'Langsung' }).waitFor();
  await openReport('Terverifikasi');
  assert.equal(await desk.page.getByLabel('Catatan (boleh kosong)').inputValue(), note);
  assert.equal(await desk.page.getByLabel('Tidak terbukti').isChecked(), true);
  assert.match(await desk.page.getByTestId('review-conflict').textContent(), /Terverifikasi/);
  await desk.page.getByRole('button', { name: 'Simpan tinjauan' }).click();
  await desk.page.getByText('Tinjauan tersimpan.').waitFor();
  assert.equal(await desk.page.getByTestId('history').locator('li').count(), 2);
  await desk.page.reload();
  await desk.page.getByTestId('review-badge').filter({ hasText: 'Tidak terbukti' }).first().waitFor();
  assert.equal(await desk.page.getByLabel('Catatan (boleh kosong)').inputValue(), '', 'saved: nothing is kept');

  // Typed again, then she signs out: the next person at this tab finds nothing.
  await desk.page.getByLabel('Catatan (boleh kosong)').fill('Catatan yang belum disimpan');
  await desk.page.getByRole('button', { name: 'Keluar' }).click();
  await desk.page.getByLabel('Kode masuk').waitFor();
  const kept = await desk.page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('pantau.desk.review.')));
  assert.deepEqual(kept, []);
  assert.deepEqual(desk.page.errors, []);
});

test('signing out in one tab signs out every tab and ends the token on the server; a sign-in reaches the others', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const desk = await openDesk(browser, await server.addCoordinator('Ani (Panwascam)', '647101'));
  const other = await desk.context.newPage();
  other.errors = [];
  other.on('pageerror', (e) => other.errors.push(e));
  await other.goto(new URL('/desk/', server.url).href);
  await other.getByTestId('live-status').filter({ hasText: 'Langsung' }).waitFor();
  const token = await desk.page.evaluate(() => JSON.parse(localStorage.getItem('pantau.desk.session')).token);

  await desk.page.getByRole('button', { name: 'Keluar' }).click();
  await desk.page.getByTestId('signed-out-reason').filter({ hasText: 'Anda sudah keluar' }).waitFor();
  await other.getByTestId('signed-out-reason').filter({ hasText: 'keluar di tab lain' }).waitFor();
  assert.equal(await other.getByLabel('Kode masuk').count(), 1);
  // The server no longer takes the token: a copy of it opens nothing.
  const status = async () => (await fetch(new URL('/api/v1/desk/tally', server.url), { headers: { authorization: `Bearer ${token}` } })).status;
  for (let i = 0; i < 50 && (await status()) !== 401; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await status(), 401);

  // Signing in again in one tab opens the desk in the other.
  const id = (await server.cli('coordinator', 'list')).split('\n').find((l) => l.includes('Ani')).trim().split(/\s+/)[0];
  const link = (await server.cli('coordinator', 'link', id, '--base-url', server.url)).match(/^sign-in link: (\S+)$/m)[1];
  await other.goto(link);
  await other.getByTestId('live-status').filter({ hasText: 'Langsung' }).waitFor();
  await desk.page.getByTestId('live-status').filter({ hasText: 'Langsung' }).waitFor();
  assert.match(await desk.page.getByTestId('who').textContent(), /Ani/);
  assert.deepEqual(desk.page.errors, []);
  assert.deepEqual(other.errors, []);
});
