// One binary: `pantau-server serve` without --static-dir serves the PWA and
// the desk built into it, as they were built, and the app works from them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, enrolWithLink, fileReport, waitForState, BUILD } from './harness.mjs';

test('the apps built into the server are served without --static-dir, byte for byte, and work', async (t) => {
  const { server, browser } = await serverAndBrowser(t);
  const link = await server.addVolunteer('Sari Wulandari', '6471011001-3');
  await server.start({ dist: null });
  assert.match(server.log, /serving the apps built into this binary/);

  // The same files as the build, compressed twins included, and the desk's page.
  const wasm = readdirSync(BUILD).find((name) => name.endsWith('_bg.wasm'));
  for (const [path, encoding] of [[wasm, 'identity'], [wasm, 'br'], ['index.html', 'identity'], ['desk/index.html', 'identity']]) {
    const response = await fetch(new URL(path, server.url), { headers: { 'accept-encoding': encoding } });
    assert.equal(response.status, 200, path);
    // fetch decodes a brotli answer itself: the header says it came as built.
    assert.equal(response.headers.get('content-encoding'), encoding === 'br' ? 'br' : null, path);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), readFileSync(join(BUILD, path)), `${path} as built`);
    assert.ok(response.headers.get('content-security-policy'), `${path} carries the CSP`);
  }

  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID' });
  const page = await enrolWithLink(context, link, 'Sari Wulandari');
  await fileReport(page, { tps: '6471011001-3', text: 'Dari aplikasi di dalam server' });
  await waitForState(page, 'sent', 1);
  assert.equal((await server.storedReports()).length, 1);
  assert.deepEqual(page.errors, []);
});
