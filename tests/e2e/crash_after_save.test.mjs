// A report the app confirmed as saved survives the browser being killed at
// that very moment. Cheap Android phones kill the browser often; localStorage
// loses writes made seconds before a kill, IndexedDB keeps completed ones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { PantauServer, freePort, CHROMIUM_ARGS, enrolWithLink, openApp, fileIncident, listedReports, showOutbox, waitForState } from './harness.mjs';

const TRIALS = Number(process.env.PANTAU_CRASH_TRIALS ?? 20);

/** Chromium as its own process (so it can be SIGKILLed), driven over the DevTools protocol. */
async function startPhone(profile) {
  const portFile = join(profile, 'DevToolsActivePort');
  rmSync(portFile, { force: true });
  const child = spawn(process.env.CHROMIUM ?? '/usr/bin/chromium', [
    '--headless=new', ...CHROMIUM_ARGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank',
  ], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!existsSync(portFile) || readFileSync(portFile, 'utf8').split('\n').length < 2) {
    if (Date.now() > deadline) throw new Error('chromium did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const port = readFileSync(portFile, 'utf8').split('\n')[0];
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  return { child, exited, browser, context: browser.contexts()[0] };
}

test(`a report confirmed as saved survives SIGKILL of the browser (${TRIALS} of ${TRIALS})`, async (t) => {
  const server = new PantauServer(await freePort());
  const profile = mkdtempSync(join(tmpdir(), 'pantau-crash-'));
  let phone;
  t.after(async () => {
    // A failed assertion must not leave a browser behind (the runner would wait for it).
    phone?.child.kill('SIGKILL');
    await server.dispose();
    rmSync(profile, { recursive: true, force: true });
  });

  await server.start();
  phone = await startPhone(profile);
  await enrolWithLink(phone.context, await server.addVolunteer('Tahan Banting', '6471011001-3'), 'Tahan Banting');
  await phone.browser.close();
  phone.child.kill('SIGTERM');
  await phone.exited;
  await server.stop();
  // The page loads but every send fails, so each report must come back from the phone's storage.
  await server.start({ faults: 'reset=1' });

  const filed = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    phone = await startPhone(profile);
    const page = await openApp(phone.context, server.url);
    await showOutbox(page);
    // Every report confirmed in an earlier trial is still there after its kill.
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=outbox] li').length === n, filed.length).catch(async (e) => {
      const listed = await listedReports(page).catch(() => 'unreadable');
      const state = await page.evaluate(async () => ({
        marks: performance.getEntriesByName('pantau-ready').length,
        databases: await indexedDB.databases(),
        controlled: Boolean(navigator.serviceWorker?.controller),
        body: document.body.innerText.slice(0, 400),
      })).catch((e) => String(e));
      console.log(JSON.stringify(state));
      throw new Error(`trial ${trial}: ${e.message}\nfiled: ${JSON.stringify(filed)}\nlisted: ${JSON.stringify(listed)}\nerrors: ${page.errors.join('; ')}`);
    });
    const listed = (await listedReports(page)).map((r) => r.text).sort();
    assert.deepEqual(listed, [...filed].sort(), `after trial ${trial}`);

    const text = `Percobaan ${trial}`;
    await fileIncident(page, { tps: '6471011001-3', description: text });
    phone.child.kill('SIGKILL'); // the moment "Tersimpan" shows
    filed.push(text);
    await phone.exited;
    phone.browser.close().catch(() => {});
  }

  await server.stop();
  await server.start();
  phone = await startPhone(profile);
  const page = await openApp(phone.context, server.url);
  await waitForState(page, 'sent', TRIALS, { timeout: 60_000 }).catch(async (e) => {
    throw new Error(`${e.message}\nlisted: ${JSON.stringify(await listedReports(page))}`);
  });
  await phone.browser.close();
  phone.child.kill('SIGTERM');
  await phone.exited;

  await server.stop();
  const stored = await server.storedReports();
  assert.equal(stored.length, TRIALS, 'each report reached the server once');
  assert.deepEqual(stored.map((row) => row.report.body.description).sort(), [...filed].sort());
});
