// Enrolling on weak signal: the server uses the one-time code, then the answer
// is lost on the way back. Opening the coordinator's link again must enrol the
// phone (the code is "already used" for anyone else), and its reports must
// reach the server under this volunteer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openApp, goTo, fileReport, waitForState } from './harness.mjs';

test('an enrolment whose answer was lost succeeds when the link is opened again', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  const link = await server.addVolunteer('Dewi Lestari', '6471011001-3');
  await server.start();
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID' });

  let tries = 0;
  await context.route('**/api/v1/enrolments', async (route) => {
    tries += 1;
    if (tries === 1) {
      // The server enrols the phone (the code is now used)…
      const answer = await route.fetch();
      assert.equal(answer.status(), 201);
      // …and the answer never arrives.
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });

  const page = await openApp(context, link);
  await goTo(page, 'pengaturan');
  await page.getByTestId('enrolment').filter({ hasText: 'Tidak ada sambungan' }).waitFor();
  assert.equal(await page.getByTestId('enrolled-as').count(), 0, 'not enrolled: the token never arrived');

  // The volunteer opens the coordinator's link again. An installed app
  // captures it in its open window: only the fragment changes.
  await page.goto(link);
  const again = page;
  await goTo(again, 'pengaturan');
  await again.getByTestId('enrolled-as').filter({ hasText: 'Dewi Lestari' }).waitFor({ timeout: 10_000 }).catch(async (e) => {
    throw new Error(`${e.message}\nenrolment section: ${await again.getByTestId('enrolment').textContent()}`);
  });
  assert.equal(tries, 2);

  await fileReport(again, { tps: '6471011001-3', text: 'Daftar hadir tidak ditandatangani' });
  await waitForState(again, 'sent', 1);
  const stored = await server.storedReports();
  assert.equal(stored.length, 1);
  assert.equal(stored[0].volunteer.name, 'Dewi Lestari');
  assert.deepEqual(again.errors, []);
});

test('an enrolment tried with no signal is tried again by itself when the signal returns', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  const link = await server.addVolunteer('Rina Marlina', '6471011001-3');
  await server.start();
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID' });
  let tries = 0;
  await context.route('**/api/v1/enrolments', async (route) => {
    tries += 1;
    // The first try never leaves the phone.
    if (tries === 1) await route.abort('internetdisconnected');
    else await route.continue();
  });

  const page = await openApp(context, link);
  await goTo(page, 'pengaturan');
  await page.getByTestId('enrolment').filter({ hasText: 'dicoba lagi otomatis' }).waitFor();
  assert.ok(!page.url().includes('daftar='), 'the code has left the address bar');

  // The signal comes back: nobody opens the link again or types the code.
  await context.setOffline(true);
  await context.setOffline(false);
  await page.getByTestId('enrolled-as').filter({ hasText: 'Rina Marlina' }).waitFor({ timeout: 10_000 });
  assert.equal(tries, 2);
  assert.equal(await page.evaluate(() => localStorage.getItem('pantau.enrolment-attempt')), null, 'nothing left to retry');
  assert.deepEqual(page.errors, []);
});
