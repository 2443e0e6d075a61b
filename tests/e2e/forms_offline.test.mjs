// A new volunteer files one report of each kind with no signal, reloads, and
// finds all three intact; they sync, and the server holds what was typed,
// field by field. Also: a half-filled form survives a reload.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, enrolWithLink, openScreen, fillIncident, listedReports, waitForServiceWorker, waitForState, goTo } from './harness.mjs';

test('one report of each kind filed offline survives a reload and reaches the server field by field', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const link = await server.addVolunteer('Dewi Lestari', '6471041005-12');
  await server.importBallots({
    ballots: [{ contest: 'dpd', participants: [{ number: 1, name: 'Calon DPD Satu' }, { number: 2, name: 'Calon DPD Dua' }] }],
  });
  // Balikpapan keeps WITA (UTC+8): times must keep that offset.
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID', timezoneId: 'Asia/Makassar' });
  const page = await enrolWithLink(context, link, 'Dewi Lestari');
  // The profile came from the coordinator: name, TPS, and its place.
  await page.getByTestId('home-tps').filter({ hasText: 'Kel. Mekar Sari, Kec. Balikpapan Tengah' }).waitFor();
  await waitForServiceWorker(page);
  await context.setOffline(true); // no signal at the TPS

  // 1. Checklist, opening phase: every item answered, one "Tidak" with a note.
  await openScreen(page, '#/baru/checklist', 'checklist-form');
  // The TPS comes from the enrolment, as one line at the top: the questions start near it.
  const chip = page.getByTestId('tps-chip');
  assert.match(await chip.innerText(), /^TPS 012, Kel\. Mekar Sari/);
  assert.equal(await page.getByLabel('Kode TPS').count(), 0, 'a volunteer enrolled for one TPS has no TPS field');
  const chipBox = await chip.boundingBox();
  assert.ok(chipBox.height <= 56, `one line: ${chipBox.height} px`);
  const firstQuestion = await page.locator('fieldset.item').first().boundingBox();
  assert.ok(firstQuestion.y < 560, `the first question starts at ${firstQuestion.y} px`);
  const items = await page.locator('fieldset.item').evaluateAll((sets) => sets.map((f) => f.dataset.item));
  assert.equal(items.length, 6);
  for (const item of items) await page.locator(`fieldset[data-item=${item}] .answer.yes`).click();
  await page.locator('fieldset[data-item=lists_posted] .answer.no').click();
  await page.locator('#note-lists_posted').fill('DPT tidak ditempel sampai 08.15');
  await page.getByTestId('save').click();
  await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();

  // 2. Incident, every field.
  await fillIncident(page, { category: 'vote_buying', place: 'Gang Mawar, 50 m dari TPS', description: 'Tim sukses membagikan amplop Rp50.000.', urgent: true });
  await page.getByLabel('Waktu kejadian').fill('2026-02-14T09:40');
  await page.getByLabel(/^Terlapor/).fill('Tim sukses calon X');
  await page.getByLabel(/^Saksi/).fill('Budi, Rina');
  await page.getByTestId('save').click();
  await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();

  // 3. Count result with three candidates; totals that do not add up still save.
  // The participants come from the ballots: DPD as the server imported them
  // (fetched while there was signal), the presidential pairs built in.
  await openScreen(page, '#/baru/hasil', 'count-form');
  await page.getByLabel('Jenis pemilihan').selectOption('dpd');
  await page.getByLabel('2. Calon DPD Dua', { exact: true }).waitFor();
  await page.getByLabel('Jenis pemilihan').selectOption('president');
  const rows = [
    ['1. Anies Rasyid Baswedan – Abdul Muhaimin Iskandar', '61'],
    ['2. Prabowo Subianto – Gibran Rakabuming Raka', '112'],
    ['3. Ganjar Pranowo – Mahfud MD', '20'],
  ];
  assert.equal(await page.getByLabel(/^Nama peserta/).count(), 0, 'no names to type');
  for (const [name, votes] of rows) await page.getByLabel(name, { exact: true }).fill(votes);
  await page.getByTestId('count-total').filter({ hasText: /^Jumlah 193$/ }).waitFor();
  await page.getByLabel('Suara sah', { exact: true }).fill('203');
  await page.getByTestId('count-total').filter({ hasText: 'Jumlah 193 · Suara sah 203 · selisih 10' }).waitFor();
  await page.getByLabel('Suara sah', { exact: true }).fill('193');
  await page.getByLabel('Suara tidak sah').fill('4');
  await page.getByLabel('Pengguna hak pilih').fill('199');
  await page.getByTestId('count-warnings').filter({ hasText: 'tidak sama dengan pengguna hak pilih' }).waitFor();
  await page.getByTestId('save').click();
  await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();

  // A fourth form, half filled, left as it is.
  await fillIncident(page, { description: 'Belum selesai diketik' });

  // Still no signal: the app reopens from the service worker's cache.
  await page.reload();
  await waitForState(page, 'waiting', 3);
  const listed = await listedReports(page);
  const titles = await page.locator('[data-testid=outbox] li .report-kind').allTextContents();
  assert.deepEqual(titles.sort(), ['Checklist TPS · Pembukaan', 'Hasil penghitungan · Presiden dan Wakil Presiden', 'Kejadian · Politik uang'].sort());
  await openScreen(page, '#/baru/kejadian', 'incident-form');
  assert.equal(await page.getByLabel('Uraian kejadian').inputValue(), 'Belum selesai diketik', 'the half-filled form survived the reload');
  assert.deepEqual(page.errors, []);

  await context.setOffline(false);
  await goTo(page, 'beranda');
  await page.getByTestId('send-now').click();
  await waitForState(page, 'sent', 3);
  await server.stop();

  const stored = await server.storedReports();
  assert.equal(stored.length, 3);
  assert.deepEqual(stored.map((r) => r.report.id).sort(), listed.map((r) => r.id).sort());
  const byKind = Object.fromEntries(stored.map((row) => [row.report.body.kind, row]));
  for (const row of stored) {
    assert.equal(row.report.tps, '6471041005-012');
    assert.equal(row.volunteer.name, 'Dewi Lestari');
    assert.match(row.report.created_at, /\+08:00$/, `${row.report.created_at} keeps WITA`);
  }

  const checklist = byKind.checklist.report.body;
  assert.equal(checklist.phase, 'opening');
  assert.deepEqual(checklist.answers.map((a) => a.item), items, 'every item, in catalogue order');
  for (const a of checklist.answers) {
    assert.equal(a.answer, a.item === 'lists_posted' ? 'no' : 'yes');
    assert.equal(a.note ?? '', a.item === 'lists_posted' ? 'DPT tidak ditempel sampai 08.15' : '');
  }

  assert.deepEqual(byKind.incident.report.body, {
    kind: 'incident',
    category: 'vote_buying',
    occurred_at: '2026-02-14T09:40:00+08:00',
    place: 'Gang Mawar, 50 m dari TPS',
    description: 'Tim sukses membagikan amplop Rp50.000.',
    reported_party: 'Tim sukses calon X',
    witnesses: 'Budi, Rina',
    urgent: true,
  });

  assert.deepEqual(byKind.count_result.report.body, {
    kind: 'count_result',
    contest: 'president',
    votes: rows.map(([name, votes]) => ({ name, votes: Number(votes) })),
    valid: 193,
    invalid: 4,
    voters: 199,
  });
});
