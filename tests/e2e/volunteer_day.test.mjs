// A volunteer's day at the TPS (issue 13), at 360×740 against the real server:
// after Simpan the confirmation can be read whole above the bottom bar, and it
// follows the report until the server's receipt number shows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, enrolledPhone, fillIncident } from './harness.mjs';

test('after Simpan the confirmation stays above the bottom bar and reads as sent with its receipt', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const { page } = await enrolledPhone(browser, server, 'Sari Wulandari', '6471011001-3');
  await fillIncident(page, {
    category: 'vote_buying',
    place: 'Depan TPS 003',
    description: 'Seorang pria membagikan amplop berisi uang kepada pemilih yang antre di depan TPS.',
  });
  await page.getByTestId('save').click();

  const card = page.getByTestId('saved-card');
  await card.waitFor();
  await page.getByTestId('saved-state').filter({ hasText: 'Terkirim' }).waitFor();
  const [stored] = await server.storedReports();
  const said = await page.getByTestId('saved-state').textContent();
  assert.match(said, new RegExp(`no\\. ${stored.receipt.seq}$`), said);

  // Whole, on screen, and clear of the bottom bar; its actions within reach.
  const nav = await page.locator('nav.tabs').boundingBox();
  const box = await card.boundingBox();
  assert.ok(box.y >= 0 && box.y + box.height <= nav.y, `card ${JSON.stringify(box)}, bar at ${nav.y}`);
  for (const id of ['see-outbox', 'another-report']) {
    const action = await page.getByTestId(id).boundingBox();
    assert.ok(action.height >= 48 && action.y + action.height <= nav.y, `${id}: ${JSON.stringify(action)}`);
  }

  // Typing the next report puts it away.
  await fillIncident(page, { description: 'Laporan berikutnya' });
  await card.waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
});
