// The service worker's own decisions, run in node against an in-memory Cache
// Storage: what it keeps, what it deletes, and when an install must fail. The
// browser-level behaviour (offline open, updates) is in pwa.test.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const SOURCE = readFileSync(fileURLToPath(new URL('../../public/sw.js', import.meta.url)), 'utf8')
  .replace('__PANTAU_VERSION__', 'v2')
  .replace('__PANTAU_PRECACHE__', "['/index.html', '/pantau-0123456789abcdef_bg.wasm']");

/** A request or URL as the Cache API keys it: relative to the worker's address. */
const keyOf = (request) => new URL(typeof request === 'string' ? request : request.url, 'https://pantau.example/sw.js').pathname;

/** Cache Storage in memory; `onAddAll` runs in the middle of a cache's addAll. */
function fakeCaches({ onAddAll = async () => {} } = {}) {
  const named = new Map();
  const caches = {
    named,
    async open(name) {
      if (!named.has(name)) {
        const entries = new Map();
        named.set(name, {
          entries,
          async addAll(urls) {
            await onAddAll();
            for (const url of urls) entries.set(keyOf(url), `body of ${keyOf(url)}`);
          },
          async match(request) {
            return entries.get(keyOf(request));
          },
        });
      }
      return named.get(name);
    },
    async has(name) {
      return named.has(name);
    },
    async keys() {
      return [...named.keys()];
    },
    async delete(name) {
      return named.delete(name);
    },
  };
  return caches;
}

/** Loads sw.js into a fresh worker scope; returns its handlers and the scope. */
function worker(caches) {
  const handlers = {};
  const self = {
    addEventListener: (type, handler) => (handlers[type] = handler),
    clients: { claim: async () => {} },
    skipWaiting: () => {},
    location: { origin: 'https://pantau.example' },
  };
  vm.runInNewContext(SOURCE, { self, caches, URL, console });
  /** Fires an extendable event and returns the promise it waits for. */
  const fire = (type, extra = {}) => {
    let waited = Promise.resolve();
    handlers[type]({ ...extra, waitUntil: (p) => (waited = p) });
    return waited;
  };
  return { fire };
}

test('install fills this version\'s cache with the whole build', async () => {
  const caches = fakeCaches();
  await worker(caches).fire('install');
  assert.deepEqual([...caches.named.get('pantau-v2').entries.keys()], ['/index.html', '/pantau-0123456789abcdef_bg.wasm']);
});

test('install fails when an older version deletes its cache while it is being filled', async () => {
  // v1 activates in the middle of v2's download and deletes every other pantau- cache.
  const caches = fakeCaches({ onAddAll: async () => caches.delete('pantau-v2') });
  await assert.rejects(worker(caches).fire('install'), /pantau-v2 was deleted/);
});

test('activate deletes older versions\' caches and never the reports\' second copies', async () => {
  const caches = fakeCaches();
  for (const name of ['pantau-v1', 'pantau-v2', 'outbox-copy-pantau', 'unrelated']) await caches.open(name);
  await worker(caches).fire('activate');
  assert.deepEqual((await caches.keys()).sort(), ['outbox-copy-pantau', 'pantau-v2', 'unrelated']);
});

test('the API is never answered by the worker; screens are answered with the cached page', async () => {
  const caches = fakeCaches();
  const sw = worker(caches);
  await sw.fire('install');
  const answered = [];
  const fetchEvent = (url, mode = 'no-cors') => ({
    request: { method: 'GET', url, mode },
    respondWith: (p) => answered.push(p),
  });
  await sw.fire('fetch', fetchEvent('https://pantau.example/api/v1/reports/batch'));
  assert.equal(answered.length, 0, 'the API goes to the network untouched');
  await sw.fire('fetch', fetchEvent('https://pantau.example/kotak-keluar', 'navigate'));
  assert.equal(await answered[0], 'body of /index.html');
  await sw.fire('fetch', fetchEvent('https://pantau.example/pantau-0123456789abcdef_bg.wasm'));
  assert.equal(await answered[1], 'body of /pantau-0123456789abcdef_bg.wasm');
  // The coordinators' desk is another app: its pages and files are not this worker's.
  await sw.fire('fetch', fetchEvent('https://pantau.example/desk/laporan', 'navigate'));
  await sw.fire('fetch', fetchEvent('https://pantau.example/desk/pantau-desk-0123456789abcdef.js'));
  assert.equal(answered.length, 2, 'the desk goes to the network untouched');
});
