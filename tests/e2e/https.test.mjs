// HTTPS served by pantau-server itself (rustls), with a certificate the test
// makes: the app runs in a secure context (service worker, WebCrypto), files
// and syncs a report, and plain HTTP on the second port only redirects.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { PantauServer, freePort, CHROMIUM_ARGS, enrolWithLink, fileReport, waitForState, waitForServiceWorker } from './harness.mjs';

// The readiness check and the redirect check are this process's own fetches
// of a certificate no authority signed.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

test('the server serves the app over HTTPS itself, and plain HTTP only redirects to it', async (t) => {
  const server = new PantauServer(await freePort());
  const redirectPort = await freePort();
  const cert = join(server.dir, 'cert.pem');
  const key = join(server.dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  // Chromium trusts exactly this key, as a phone trusts a real certificate:
  // the page is a secure context with no certificate error.
  const spki = new X509Certificate(readFileSync(cert)).publicKey.export({ type: 'spki', format: 'der' });
  const pin = createHash('sha256').update(spki).digest('base64');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${pin}`],
  });
  t.after(async () => {
    await browser.close();
    await server.dispose();
  });

  server.url = `https://127.0.0.1:${server.port}/`;
  const link = await server.addVolunteer('Sari Wulandari', '6471011001-3');
  assert.ok(link.startsWith(server.url), link);
  await server.start({ extra: ['--tls-cert', cert, '--tls-key', key, '--redirect-bind', `127.0.0.1:${redirectPort}`] });

  // Plain HTTP: every path goes to the same path on HTTPS, and nothing else is served.
  for (const path of ['/', '/desk/', '/api/v1/ready?x=1']) {
    const answer = await fetch(`http://127.0.0.1:${redirectPort}${path}`, { redirect: 'manual' });
    assert.equal(answer.status, 308, path);
    assert.equal(answer.headers.get('location'), `https://127.0.0.1:${server.port}${path}`);
  }
  // The HTTPS port speaks only TLS.
  await assert.rejects(fetch(`http://127.0.0.1:${server.port}/`));

  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID' });
  const page = await enrolWithLink(context, link, 'Sari Wulandari');
  assert.equal(await page.evaluate(() => window.isSecureContext && !!crypto.subtle), true);
  await waitForServiceWorker(page);
  await fileReport(page, { tps: '6471011001-3', text: 'Lewat HTTPS' });
  await waitForState(page, 'sent', 1);
  assert.equal((await server.storedReports()).length, 1);
  assert.deepEqual(page.errors, []);
});
