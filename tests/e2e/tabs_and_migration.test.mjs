// Several tabs, and reports left by the first version in localStorage.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverAndBrowser, PantauServer, freePort, launchPhoneProfile, enrolledPhone, openApp, openScreen, fileReport, fillIncident, listedReports, waitForState } from './harness.mjs';

test('three tabs filing at once: every report reaches the server exactly once', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const { context, page: first } = await enrolledPhone(browser, server, 'Tiga Tab');
  const tabs = [first, await openApp(context, server.url), await openApp(context, server.url)];

  const perTab = 20;
  await Promise.all(
    tabs.map(async (tab, i) => {
      for (let n = 0; n < perTab; n++) await fileReport(tab, { tps: '6471011001-3', text: `Tab ${i} laporan ${n}` });
    }),
  );
  // Every tab ends up listing every report as sent, whichever tab sent it.
  for (const tab of tabs) await waitForState(tab, 'sent', 3 * perTab, { timeout: 60_000 });

  await server.stop();
  const stored = await server.storedReports();
  const texts = stored.map((row) => row.report.body.description);
  assert.equal(stored.length, 3 * perTab);
  assert.equal(new Set(stored.map((row) => row.report.id)).size, 3 * perTab, 'no report stored twice');
  for (let i = 0; i < 3; i++) for (let n = 0; n < perTab; n++) assert.ok(texts.includes(`Tab ${i} laporan ${n}`));
  for (const tab of tabs) assert.deepEqual(tab.errors, []);
});

test('reports in the first version\'s localStorage outbox move to IndexedDB and sync', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const { page } = await enrolledPhone(browser, server, 'Versi Lama');
  await server.stop();
  await server.start({ faults: 'reset=1' }); // the page loads; every send fails

  // What the first version wrote: one localStorage key per report, envelope v1.
  const id = '5f0c4a7e-4b8e-4a0b-9a53-6f1f0f3b2c11';
  await page.evaluate((id) => {
    const report = { id, tps: '6471011001-003', created_at: '2026-02-14T07:30:00+08:00', body: { kind: 'note', text: 'Dari versi pertama' } };
    localStorage.setItem(`pantau.outbox.${id}`, JSON.stringify({ v: 1, entry: { report, delivery: { state: 'waiting', attempts: 2 } } }));
    localStorage.setItem('pantau.outbox.rusak', '{"v":1,"entry":"bukan laporan"}');
  }, id);
  await page.reload();
  await waitForState(page, 'waiting', 1);
  assert.equal((await listedReports(page))[0].id, id);
  // The unreadable one is kept aside and shown, not dropped.
  await page.getByTestId('quarantine').filter({ hasText: 'localStorage/pantau.outbox.rusak' }).waitFor();
  assert.equal(await page.evaluate((id) => localStorage.getItem(`pantau.outbox.${id}`), id), null);

  await server.stop();
  await server.start();
  await page.getByTestId('send-now').click();
  await waitForState(page, 'sent', 1);
  await server.stop();
  const stored = await server.storedReports();
  assert.deepEqual(stored.map((row) => row.report.id), [id]);
  assert.equal(stored[0].report.body.text, 'Dari versi pertama');
  assert.equal(stored[0].volunteer.name, 'Versi Lama');
});

test('a full disk: the save is refused with the reason, the draft stays, earlier reports are intact', async (t) => {
  const server = new PantauServer(await freePort());
  const profile = mkdtempSync(join(tmpdir(), 'pantau-profile-'));
  t.after(async () => {
    await server.dispose();
    rmSync(profile, { recursive: true, force: true });
  });
  await server.start({ faults: 'reset=1' }); // the page loads; every send fails

  // A morning of reports, saved while there was room.
  let phone = await launchPhoneProfile(profile);
  let page = await openApp(phone, server.url);
  await fileReport(page, { tps: '6471011001-3', text: 'Sebelum penuh' });
  await phone.close();

  // Later the disk is full. (Chromium applies a quota override to an origin's
  // writes from a fresh session, so the override is set before the app writes.)
  phone = await launchPhoneProfile(profile);
  page = await phone.newPage();
  const cdp = await phone.newCDPSession(page);
  const origin = server.url.replace(/\/$/, '');
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
  await page.goto(server.url);
  await waitForState(page, 'waiting', 1);
  await fillIncident(page, { description: 'Sesudah penuh' });
  await page.getByTestId('save').click();
  const message = page.getByTestId('form-message');
  await message.filter({ hasText: 'Tidak tersimpan' }).waitFor();
  assert.match(await message.textContent(), /penuh/);
  assert.equal(await page.getByLabel('Uraian kejadian').inputValue(), 'Sesudah penuh', 'the draft stays on screen');
  assert.deepEqual((await listedReports(page)).map((r) => r.text), ['Sebelum penuh']);

  // Room again: the same draft saves, and nothing was lost in between.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await page.reload();
  await openScreen(page, '#/baru/kejadian', 'incident-form');
  assert.equal(await page.getByLabel('Uraian kejadian').inputValue(), 'Sesudah penuh', 'the draft survived the reload');
  await page.getByTestId('save').click();
  await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();
  await waitForState(page, 'waiting', 2);
  assert.deepEqual((await listedReports(page)).map((r) => r.text).sort(), ['Sebelum penuh', 'Sesudah penuh']);
  await phone.close();
});
