// Shared pieces for the end-to-end tests: the real pantau-server binary on a
// loopback port with its own SQLite file, and Debian's Chromium driven by
// playwright-core (which never downloads a browser of its own).

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { Transform } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const SERVER_BIN = process.env.PANTAU_SERVER_BIN;
const DIST = process.env.PANTAU_DIST;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!SERVER_BIN || !DIST) {
  throw new Error('PANTAU_SERVER_BIN and PANTAU_DIST must be set: run these tests with `cargo xtask test`');
}

/** A free loopback port, chosen once so the app's origin (and its storage) stays the same across restarts. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export class PantauServer {
  /** A server for `port` (not started yet), with its own database in a temporary folder. */
  constructor(port) {
    this.port = port;
    this.dir = mkdtempSync(join(tmpdir(), 'pantau-e2e-'));
    this.database = join(this.dir, 'pantau.db');
    this.url = `http://127.0.0.1:${port}/`;
    this.process = null;
    this.log = '';
  }

  /**
   * Starts the server. `faults`, if given, is passed to --inject-faults (e.g.
   * "reset=0.05,drop=0.2"); `dist` serves another build of the PWA than the one
   * under test (update tests), and `null` the apps built into the binary;
   * `extra` are more flags for `serve`.
   */
  async start({ faults, dist = DIST, extra = [] } = {}) {
    if (this.process) throw new Error('server already running');
    const args = ['serve', '--bind', `127.0.0.1:${this.port}`, '--database', this.database, ...extra];
    if (dist !== null) args.push('--static-dir', dist);
    // One volunteer filing hundreds of reports in seconds is a test, not abuse.
    args.push('--rate-per-second', '100000', '--rate-burst', '100000');
    if (faults) args.push('--inject-faults', faults);
    const child = spawn(SERVER_BIN, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => (this.log += d));
    child.stderr.on('data', (d) => (this.log += d));
    this.process = child;
    this.exited = new Promise((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`pantau-server exited early:\n${this.log}`);
      try {
        // Readiness through the static side: /api may be set to fail on purpose.
        const res = await fetch(this.url);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`pantau-server did not become ready:\n${this.log}`);
  }

  /** SIGTERM and wait: the server finishes requests in flight and exits. */
  async stop() {
    if (!this.process) return;
    this.process.kill('SIGTERM');
    await this.exited;
    this.process = null;
  }

  /** Creates a volunteer with the server's CLI and returns their enrolment link. */
  async addVolunteer(name, tps) {
    // A TPS code (6471011001-003) or, for a roaming volunteer, a prefix of codes.
    const where = tps.includes('-') ? ['--tps', tps] : ['--scope', tps];
    const { stdout } = await promisify(execFile)(SERVER_BIN, [
      'volunteer', 'add', '--name', name, ...where, '--database', this.database, '--base-url', this.url,
    ]);
    const link = stdout.match(/^enrolment link: (\S+)$/m);
    if (!link) throw new Error(`no enrolment link in:\n${stdout}`);
    return link[1];
  }

  /** Creates a coordinator for TPS codes starting with `scope` (none: every TPS); returns the desk sign-in link. */
  async addCoordinator(name, scope) {
    const args = ['coordinator', 'add', '--name', name, '--database', this.database, '--base-url', this.url];
    if (scope) args.push('--scope', scope);
    const { stdout } = await promisify(execFile)(SERVER_BIN, args);
    const link = stdout.match(/^sign-in link: (\S+)$/m);
    if (!link) throw new Error(`no sign-in link in:\n${stdout}`);
    return link[1];
  }

  /** A volunteer's bearer token, enrolled through the API as a phone would. */
  async volunteerToken(name, tps) {
    const link = await this.addVolunteer(name, tps);
    const code = link.split('#daftar=')[1];
    const res = await fetch(new URL('/api/v1/enrolments', this.url), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }),
    });
    if (!res.ok) throw new Error(`enrolment: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()).token;
  }

  /** Posts reports as a phone does, in batches of 25; throws unless every one is stored. */
  async postReports(token, reports) {
    for (let i = 0; i < reports.length; i += 25) {
      const res = await fetch(new URL('/api/v1/reports/batch', this.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ reports: reports.slice(i, i + 25) }),
      });
      const body = await res.text();
      const failed = res.ok ? JSON.parse(body).results.filter((r) => r.status >= 300) : [body];
      if (!res.ok || failed.length) throw new Error(`batch: HTTP ${res.status} ${JSON.stringify(failed)}`);
    }
  }

  /** Imports the TPS list (`code[,address]` lines) with the server's CLI. */
  async importTps(lines) {
    const file = join(this.dir, `tps-${Date.now()}.csv`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    await promisify(execFile)(SERVER_BIN, ['tps', 'import', file, '--database', this.database]);
  }

  /** Imports a ballot catalogue (`{ ballots: [...] }`) with the server's CLI. */
  async importBallots(catalogue) {
    const file = join(this.dir, `ballots-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(catalogue));
    await promisify(execFile)(SERVER_BIN, ['ballot', 'import', file, '--database', this.database]);
  }

  /** Runs a pantau-server command against this server's database; its output. */
  async cli(...args) {
    const { stdout } = await promisify(execFile)(SERVER_BIN, [...args, '--database', this.database]);
    return stdout;
  }

  /** Every stored report, read from the database by the server's own CLI. */
  async storedReports() {
    const { stdout } = await promisify(execFile)(SERVER_BIN, ['reports', '--database', this.database]);
    return stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  }

  async dispose() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// Without the background-networking flags Chromium keeps dialling Google's
// hosts, which this machine's closed network refuses.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with a profile on disk that outlives it, like a phone's. */
export async function launchPhoneProfile(userDataDir) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 360, height: 740 },
    locale: 'id-ID',
  });
}

export async function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A phone-sized page that fails the test on any uncaught page error. */
export async function openApp(context, url) {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  // The server's Content-Security-Policy must let the app run untouched.
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) page.errors.push(new Error(m.text()));
  });
  await page.goto(url);
  await page.getByTestId('nav-home').waitFor();
  return page;
}

/**
 * The coordinators' desk in a new browser context, signed in with `link`
 * (`viewport` a laptop unless given), live feed connected. Page errors and
 * CSP refusals are collected in `page.errors`.
 */
export async function openDesk(browser, link, { viewport = { width: 1280, height: 800 } } = {}) {
  const context = await browser.newContext({ viewport, locale: 'id-ID', timezoneId: 'Asia/Makassar', acceptDownloads: true });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) page.errors.push(new Error(m.text()));
  });
  await page.goto(link);
  await page.getByTestId('live-status').filter({ hasText: 'Langsung' }).waitFor({ timeout: 15_000 });
  return { context, page };
}

/** Opens a screen through the bottom navigation: 'beranda', 'baru', 'kotak-keluar', 'pengaturan'. */
export async function goTo(page, screen) {
  const tab = { beranda: 'nav-home', baru: 'nav-new', 'kotak-keluar': 'nav-outbox', pengaturan: 'nav-settings' }[screen];
  await page.getByTestId(tab).click();
  await page.waitForFunction((tab) => document.querySelector(`[data-testid=${tab}]`)?.getAttribute('aria-current') === 'page', tab);
}

/** Opens the coordinator's enrolment link and waits until the app shows the volunteer as enrolled. */
export async function enrolWithLink(context, link, name) {
  const page = await openApp(context, link);
  await goTo(page, 'pengaturan');
  await page.getByTestId('enrolled-as').filter({ hasText: name }).waitFor();
  await goTo(page, 'beranda');
  return page;
}

/**
 * Files one incident report and waits until the app confirms it was stored on
 * the phone ("Tersimpan"). Leaves the page on the incident form.
 */
export async function fileIncident(page, fields) {
  await fillIncident(page, fields);
  await page.getByTestId('save').click();
  await page.getByTestId('form-message').filter({ hasText: 'Tersimpan' }).waitFor();
  // The form is cleared for the next report.
  await page.waitForFunction(() => document.querySelector('#description').value === '');
}

/** Opens a screen by its address, e.g. '#/baru/kejadian', as a link would. */
export async function openScreen(page, hash, testId) {
  await page.evaluate((hash) => { location.hash = hash; }, hash);
  await page.getByTestId(testId).waitFor({ state: 'attached' });
}

/** Fills in the incident form (opening it if needed) without saving. */
export async function fillIncident(page, { tps, place = 'TPS', description, category = 'other', urgent = false }) {
  if (!(await page.getByTestId('incident-form').count())) await openScreen(page, '#/baru/kejadian', 'incident-form');
  if (tps) {
    // A TPS that reads as one the phone may report for shows as a chip.
    const change = page.getByTestId('tps-change');
    if (await change.isVisible()) await change.click();
    const field = page.getByLabel('Kode TPS');
    if (await field.count()) await field.fill(tps);
  }
  await page.getByLabel('Jenis kejadian').selectOption(category);
  await page.getByLabel('Tempat kejadian').fill(place);
  await page.getByLabel('Uraian kejadian').fill(description);
  // The volunteer chooses the time; nothing is filed for her unseen.
  await page.getByTestId('time-now').click();
  if (urgent) await page.getByLabel(/^Mendesak/).check();
}

/**
 * Files one report whose outbox line reads `text` (`text` must be unique), and
 * waits until it is stored and listed.
 */
export async function fileReport(page, { tps, text }) {
  await fileIncident(page, { tps, description: text });
  await goTo(page, 'kotak-keluar');
  await page.locator('[data-testid=outbox] li .report-text', { hasText: new RegExp(`^${escapeRegExp(text)}$`) }).waitFor();
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Waits until the outbox holds exactly `count` reports, all in `state`. */
export async function waitForState(page, state, count, { timeout = 30_000 } = {}) {
  await showOutbox(page);
  const showAll = page.getByTestId('show-all');
  if (await showAll.count()) await showAll.click();
  await page.waitForFunction(
    ([state, count]) => {
      // More rows may arrive (other tabs, a reload): keep every row drawn.
      document.querySelector('[data-testid=show-all]')?.click();
      const items = [...document.querySelectorAll('[data-testid=outbox] li')];
      return items.length === count && items.every((li) => li.dataset.state === state);
    },
    [state, count],
    { timeout, polling: 100 },
  );
}

/** A new browser context (phone) enrolled as a new volunteer. */
export async function enrolledPhone(browser, server, name, tps = '6471011001-3') {
  const link = await server.addVolunteer(name, tps);
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID' });
  const page = await enrolWithLink(context, link, name);
  return { context, page };
}

/** The outbox as listed on screen: [{ id, state, text }] (every row, not only the first page). */
export async function listedReports(page) {
  await showOutbox(page);
  const showAll = page.getByTestId('show-all');
  if (await showAll.count()) await showAll.click();
  return page.locator('[data-testid=outbox] li').evaluateAll((items) =>
    items.map((li) => ({ id: li.dataset.reportId, state: li.dataset.state, text: li.querySelector('.report-text').textContent })),
  );
}

/**
 * A TCP proxy in front of a server whose connections a test can cut, like a
 * laptop losing its Wi-Fi: `cut()` drops every open connection (a streaming
 * response included, which Chromium's offline emulation leaves open) and
 * refuses new ones until `restore()`. `slowTo(bytesPerSecond)` makes it a
 * slow link: each direction carries at most that many bytes a second, shared
 * by every connection, as one GPRS link is.
 */
export class CuttableProxy {
  constructor(target) {
    this.target = new URL(target);
    this.sockets = new Set();
    this.refusing = false;
    this.bytesPerSecond = 0;
    // When each direction of the link is free again (ms since the epoch).
    this.free = { up: 0, down: 0 };
    // Bytes carried each way so far.
    this.carried = { up: 0, down: 0 };
  }

  slowTo(bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
  }

  /**
   * A stream that passes bytes on to `destination` no faster than the link's
   * speed in `direction`; none once `destination` closed (as a reset ends a
   * real sender's transmission).
   */
  link(direction, destination) {
    const proxy = this;
    return new Transform({
      async transform(chunk, _encoding, done) {
        for (let at = 0; at < chunk.length; at += 256) {
          const piece = chunk.subarray(at, at + 256);
          if (destination.destroyed) break;
          if (proxy.bytesPerSecond) {
            const start = Math.max(Date.now(), proxy.free[direction]);
            proxy.free[direction] = start + (piece.length * 1000) / proxy.bytesPerSecond;
            await new Promise((resolve) => setTimeout(resolve, proxy.free[direction] - Date.now()));
          }
          proxy.carried[direction] += piece.length;
          this.push(piece);
        }
        done();
      },
    });
  }

  async start() {
    const port = await freePort();
    this.server = createServer((client) => {
      if (this.refusing) return client.destroy();
      const upstream = connect(Number(this.target.port), this.target.hostname);
      for (const [a, b, direction] of [[client, upstream, 'up'], [upstream, client, 'down']]) {
        a.pipe(this.link(direction, b)).pipe(b);
        a.on('error', () => b.destroy());
        // A side that ended cleanly (a server closing after its answer) lets
        // the bytes still on the link arrive, then ends the other through the
        // pipe; one that was cut cuts the other.
        a.on('close', () => { if (!a.readableEnded) b.destroy(); });
        this.sockets.add(a);
        a.on('close', () => this.sockets.delete(a));
      }
    });
    await new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}/`;
    return this;
  }

  cut() {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore() {
    this.refusing = false;
  }

  async stop() {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A fresh server (not started) and browser for one test, both disposed when it ends. */
export async function serverAndBrowser(t) {
  const server = new PantauServer(await freePort());
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await server.dispose();
  });
  return { server, browser };
}

/** The build under test. */
export const BUILD = DIST;

/** Waits until a service worker controls the page (the app can then open offline). */
export async function waitForServiceWorker(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null && navigator.serviceWorker?.controller !== undefined, null, { timeout: 30_000 });
}

/** Shows the outbox screen, unless it is showing. */
export async function showOutbox(page) {
  if (!(await page.getByTestId('outbox').count())) await goTo(page, 'kotak-keluar');
}
