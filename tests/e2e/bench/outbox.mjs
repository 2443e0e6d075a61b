// Outbox benchmarks in real Chromium, run by `cargo xtask bench`:
// - the time to save a report (tap "Simpan" to the report counted in the
//   outbox, which happens only after IndexedDB completed the write) with 0,
//   100 and 1,000 queued;
// - the time to deliver 1,000 queued reports to pantau-server on loopback.
// Prints a markdown table. Figures are from one shared, noisy machine.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PantauServer, freePort, launchChromium, openApp, fillIncident } from '../harness.mjs';

const SAVES = 40;

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
}

/** Writes `n` waiting reports straight into the app's IndexedDB, as a long day would leave them. */
async function prefill(page, n) {
  await page.evaluate(async (n) => {
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open('pantau');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const tx = db.transaction(['outbox'], 'readwrite');
    const store = tx.objectStore('outbox');
    const start = Date.now() - n * 1000;
    for (let i = 0; i < n; i++) {
      const id = crypto.randomUUID();
      const report = { id, tps: '6471011001-003', created_at: new Date(start + i * 1000).toISOString(), body: { kind: 'note', text: `Antrean ${i}` } };
      store.put(JSON.stringify({ v: 1, entry: { report, delivery: { state: 'waiting', attempts: 0 } } }), id);
    }
    await new Promise((res, rej) => {
      tx.oncomplete = res;
      tx.onabort = () => rej(tx.error);
    });
    db.close();
  }, n);
}

async function saveLatencies(browser, server, queued) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await openApp(context, server.url);
  if (queued > 0) await prefill(page, queued);
  await page.reload();
  await page.waitForFunction((n) => document.querySelector('[data-testid=counts]').textContent.startsWith(`${n} menunggu`), queued, { timeout: 60_000 });
  const times = [];
  for (let i = 0; i < SAVES; i++) {
    // A saved form starts empty again: fill it whole each time.
    await fillIncident(page, { tps: '6471011001-3', description: `Ukur ${i}` });
    times.push(
      // From the tap to the outbox counting the report, which happens only
      // after IndexedDB completed the write (the bottom bar's badge).
      await page.evaluate(async (expected) => {
        const tab = document.querySelector('[data-testid=nav-outbox]');
        const counted = new Promise((resolve) => {
          const observer = new MutationObserver(() => {
            if (tab.querySelector('.badge')?.textContent === String(expected)) {
              observer.disconnect();
              resolve(performance.now());
            }
          });
          observer.observe(tab, { childList: true, subtree: true, characterData: true });
        });
        const t0 = performance.now();
        document.querySelector('[data-testid=save]').click();
        const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`not counted: ${document.querySelector('[data-testid=form-message]')?.textContent}`)), 30_000));
        return (await Promise.race([counted, timeout])) - t0;
      }, queued + i + 1),
    );
  }
  await context.close();
  return times;
}

async function deliveryTime(browser, server, queued) {
  const { stdout } = await promisify(execFile)(process.env.PANTAU_SERVER_BIN, [
    'volunteer', 'add', '--name', 'Bench', '--tps', '6471011001-3', '--database', server.database,
  ]);
  const code = stdout.match(/^enrolment code: (\S+)$/m)[1];
  const enrolment = await (await fetch(`${server.url}api/v1/enrolments`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }),
  })).json();
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await openApp(context, server.url);
  await prefill(page, queued);
  await page.evaluate((e) => localStorage.setItem('pantau.enrolment', JSON.stringify(e)), enrolment);
  const t0 = Date.now();
  await page.reload();
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=counts]')?.textContent === `0 menunggu · ${n} terkirim`,
    queued,
    { timeout: 120_000, polling: 20 },
  );
  const ms = Date.now() - t0;
  await context.close();
  return ms;
}

const server = new PantauServer(await freePort());
const browser = await launchChromium();
try {
  const rows = [];
  // Sends fail on purpose here, so the queue stays at its size while saving.
  await server.start({ faults: 'reset=1' });
  for (const queued of [0, 100, 1000]) {
    const times = await saveLatencies(browser, server, queued);
    rows.push(`| save a report, ${queued} queued | ${percentile(times, 0.5).toFixed(1)} | ${percentile(times, 0.95).toFixed(1)} | p95 ≤ 16 ms at 1,000 |`);
  }
  await server.stop();
  await server.start();
  const ms = await deliveryTime(browser, server, 1000);
  rows.push(`| deliver 1,000 queued reports (page load to all sent) | ${ms} | | ≤ 3,000 ms |`);
  console.log(`\nOutbox in Chromium (${SAVES} saves per row; IndexedDB with strict durability)\n`);
  console.log('| measure | p50 ms | p95 ms | target |\n|---|---:|---:|---|');
  for (const row of rows) console.log(row);
} finally {
  await browser.close();
  await server.dispose();
}
