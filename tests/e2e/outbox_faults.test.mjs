// The outbox and sync engine in real Chromium through the real adapters
// (IndexedDB, fetch, Web Locks): 200 reports filed through 10 connectivity
// flaps, against a server that drops 20% of answers after committing and
// resets 5% of connections. Pass: the server holds exactly the 200 reports,
// once each, and the outbox ends empty.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, PantauServer, freePort, launchChromium, enrolledPhone, fileReport, listedReports, waitForState } from './harness.mjs';

const REPORTS = 200;
const FLAPS = 10;

test('200 reports through flaps, dropped answers and resets arrive exactly once', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const { context, page } = await enrolledPhone(browser, server, 'Relawan Uji');
  await server.stop();
  await server.start({ faults: 'reset=0.05,drop=0.2,seed=11' });

  let offline = false;
  for (let n = 0; n < REPORTS; n++) {
    if (n > 0 && n % (REPORTS / FLAPS) === 0) {
      offline = !offline;
      await context.setOffline(offline);
    }
    await fileReport(page, { tps: '6471011001-3', text: `Laporan ${n}` });
  }
  await context.setOffline(false);
  await page.getByTestId('send-now').click();
  await waitForState(page, 'sent', REPORTS, { timeout: 120_000 });

  const listed = await listedReports(page);
  await server.stop();
  const stored = await server.storedReports();
  const storedIds = stored.map((row) => row.report.id);
  assert.equal(stored.length, REPORTS, `exactly ${REPORTS} rows`);
  assert.equal(new Set(storedIds).size, REPORTS, 'no report stored twice');
  assert.deepEqual([...storedIds].sort(), listed.map((r) => r.id).sort(), 'the server holds what the phone filed');

  // The volunteer clears the sent reports: the outbox ends empty, also after a reload.
  await server.start();
  page.once('dialog', (dialog) => dialog.accept()); // "Hapus … dari daftar?"
  await page.getByTestId('clear-sent').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=outbox] li').length === 0);
  await page.reload();
  assert.equal((await listedReports(page)).length, 0);
  assert.deepEqual(page.errors, []);
});
