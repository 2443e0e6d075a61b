// Pantau's first promise, end to end: reports filed while the server is
// unreachable wait on the phone, survive closing the page, and reach the server
// exactly once when it is back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, PantauServer, freePort, launchChromium, openApp, enrolWithLink, fileReport, listedReports } from './harness.mjs';

test('reports filed while the server is down are sent exactly once when it returns', async (t) => {
  const { server, browser } = await serverAndBrowser(t);

  const link = await server.addVolunteer('Sari Wulandari', '6471011001-3');
  await server.start();
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID' });
  const page = await enrolWithLink(context, link, 'Sari Wulandari');
  assert.ok(!page.url().includes('daftar='), 'the one-time code is removed from the address bar');
  await server.stop();

  const texts = ['Antrean pemilih panjang', 'Saksi partai tidak hadir', 'Kotak suara sudah dikunci'];
  for (const text of texts) {
    await fileReport(page, { tps: '6471011001-3', text });
  }
  // Each save tries to send at once; with the server down every report falls back to waiting.
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid=outbox] li')].filter((li) => li.dataset.state === 'waiting').length === 3,
    null,
    { timeout: 10_000 },
  );
  const waiting = await listedReports(page);
  assert.equal(waiting.length, 3);
  assert.deepEqual(waiting.map((r) => r.state), ['waiting', 'waiting', 'waiting']);
  assert.deepEqual(waiting.map((r) => r.text).sort(), [...texts].sort());
  assert.deepEqual(page.errors, []);
  await page.close();

  assert.equal((await server.storedReports()).length, 0, 'nothing can have arrived while the server was down');

  await server.start();
  const reopened = await openApp(context, server.url);
  const listed = await listedReports(reopened);
  assert.deepEqual(listed.map((r) => r.id).sort(), waiting.map((r) => r.id).sort(), 'the same 3 reports are listed after reopening');

  await reopened.waitForFunction(
    () => [...document.querySelectorAll('[data-testid=outbox] li')].filter((li) => li.dataset.state === 'sent').length === 3,
    null,
    { timeout: 10_000 },
  );
  const sent = await listedReports(reopened);
  assert.deepEqual(sent.map((r) => r.state), ['sent', 'sent', 'sent']);
  assert.deepEqual(reopened.errors, []);

  await server.stop();
  const stored = await server.storedReports();
  assert.equal(stored.length, 3, 'the database holds exactly 3 rows');
  assert.deepEqual(stored.map((row) => row.report.id).sort(), waiting.map((r) => r.id).sort());
  for (const row of stored) {
    assert.equal(row.report.tps, '6471011001-003');
    assert.equal(row.volunteer.name, 'Sari Wulandari', 'each report is tied to the volunteer who filed it');
    assert.ok(texts.includes(row.report.body.description));
  }
});
