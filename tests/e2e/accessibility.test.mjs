// Every screen and form checked with axe-core, the engine behind Lighthouse's
// accessibility audits: no violations at 360 px, in both languages.
// (`cargo xtask bench` reports the Lighthouse scores themselves.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { serverAndBrowser, enrolledPhone, openScreen, fillIncident } from './harness.mjs';

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
