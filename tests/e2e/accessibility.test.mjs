// Every screen and form checked with axe-core, the engine behind Lighthouse's
// accessibility audits: no violations at 360 px, in both languages; the
// coordinators' desk at 1280 px and at 360 px.
// (`cargo xtask bench` reports the Lighthouse scores themselves.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { serverAndBrowser, enrolledPhone, openScreen, fillIncident, openDesk } from './harness.mjs';
import { seedPollingDay } from './desk_data.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const SCREENS = [
  ['#/', 'nav-home'],
  ['#/baru', 'kind-checklist'],
  ['#/baru/checklist', 'checklist-form'],
  ['#/baru/kejadian', 'incident-form'],
  ['#/baru/hasil', 'count-form'],
  ['#/kotak-keluar', 'outbox'],
  ['#/pengaturan', 'storage'],
];

async function violations(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  });
}

test('every screen has no accessibility violations, in Indonesian and in English', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const { page } = await enrolledPhone(browser, server, 'Akses Untuk Semua');
  // Something in the outbox and an error on a form, so those states are checked too.
  await fillIncident(page, { description: 'Kursi roda tidak bisa masuk' });
  await page.getByTestId('save').click();
  await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();
  for (const lang of ['id', 'en']) {
    if (lang === 'en') {
      await openScreen(page, '#/pengaturan', 'storage');
      await page.getByLabel('English').check();
    }
    for (const [hash, testId] of SCREENS) {
      await openScreen(page, hash, testId);
      if (hash === '#/baru/kejadian') {
        await page.getByTestId('save').click(); // empty form: every required field flagged
        await page.locator('.field-error:not(:empty)').first().waitFor();
      }
      assert.deepEqual(await violations(page), [], `${lang} ${hash}`);
    }
  }
  assert.deepEqual(page.errors, []);
});

test('tap targets are at least 48 px and nothing overflows a 360 px screen', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const { page } = await enrolledPhone(browser, server, 'Satu Tangan');
  for (const [hash, testId] of SCREENS) {
    await openScreen(page, hash, testId);
    const problems = await page.evaluate(() => {
      const found = [];
      if (document.documentElement.scrollWidth > window.innerWidth) found.push(`page is ${document.documentElement.scrollWidth}px wide`);
      for (const el of document.querySelectorAll('button, a, input:not([type=radio]):not([type=checkbox]), select, textarea, label.choice, label.answer, label.check')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue; // not shown
        if (r.height < 48 || r.width < 48) found.push(`${el.outerHTML.slice(0, 80)} is ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
      return found;
    });
    assert.deepEqual(problems, [], hash);
  }
});

test('every desk screen has no accessibility violations at 1280 and 360 px, and nothing overflows a phone', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  await server.start();
  const posted = await seedPollingDay(server);
  const urgent = posted.find((r) => r.body.urgent);
  const screens = [
    ['/desk/', 'attention'],
    ['/desk/laporan?kind=incident', 'shown-count'],
    [`/desk/laporan/${urgent.id}`, 'review'],
    ['/desk/cakupan?level=kecamatan', 'coverage-table'],
    ['/desk/cakupan?level=tps&area=6471011001', 'coverage-table'],
    ['/desk/rekap', 'contest'],
  ];
  for (const viewport of [{ width: 1280, height: 800 }, { width: 360, height: 740 }]) {
    const { page } = await openDesk(browser, await server.addCoordinator('Panwaslu Kota', '6471'), { viewport });
    for (const [path, testId] of screens) {
      await page.goto(new URL(path, server.url).href);
      await page.getByTestId(testId).first().waitFor();
      if (testId === 'review') {
        // The form's every state: a choice made, the reference field shown, a history.
        await page.getByRole('radio', { name: 'Sedang ditinjau' }).check();
        await page.getByRole('button', { name: 'Simpan tinjauan' }).click();
        await page.getByTestId('history').waitFor();
        await page.getByRole('radio', { name: 'Ditindaklanjuti' }).check();
      }
      const where = `${viewport.width} px ${path}`;
      assert.deepEqual(await violations(page), [], where);
      if (viewport.width === 360) {
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= 360, `${where}: page is ${wide}px wide`);
      }
    }
    // Signed out, with the reason shown.
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.getByTestId('signed-out-reason').waitFor();
    assert.deepEqual(await violations(page), [], `${viewport.width} px sign-in`);
    assert.deepEqual(page.errors, []);
  }
});
