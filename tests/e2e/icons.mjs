// Renders the app icons (public/icons/*.png) from their SVG sources
// (public/icon-src/, not part of the build) with
// Debian's Chromium. Run after changing an SVG: `node icons.mjs` in tests/e2e.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const ICONS = join(process.cwd(), '../../public/icons');
const SOURCES = join(process.cwd(), '../../public/icon-src');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  for (const [source, size, out] of [
    ['pantau.svg', 192, 'pantau-192.png'],
    ['pantau.svg', 512, 'pantau-512.png'],
    ['pantau-maskable.svg', 512, 'pantau-maskable-512.png'],
    ['pantau.svg', 180, 'apple-touch-icon.png'],
  ]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const svg = readFileSync(join(SOURCES, source), 'utf8');
    await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
    await page.screenshot({ path: join(ICONS, out), omitBackground: true });
    await page.close();
  }
} finally {
  await browser.close();
}
