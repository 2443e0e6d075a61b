// Screenshots of every screen at 360×740 (the desk's at 1280×800 and one at
// 360), for the README and for judging the
// work by eye. Run by `cargo xtask screenshots`; writes docs/screenshots/*.png.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PantauServer, freePort, launchChromium, enrolWithLink, fileIncident, goTo, openDesk } from './harness.mjs';
import { seedPollingDay } from './desk_data.mjs';
import { cameraJpeg } from './photo_files.mjs';

const OUT = process.env.PANTAU_SCREENSHOTS ?? join(process.cwd(), '../../docs/screenshots');
mkdirSync(OUT, { recursive: true });

const server = new PantauServer(await freePort());
await server.start();
const browser = await launchChromium();
try {
  const link = await server.addVolunteer('Sari Wulandari', '6471011001-3');
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID', timezoneId: 'Asia/Makassar', deviceScaleFactor: 1 });
  const page = await enrolWithLink(context, link, 'Sari Wulandari');
  const shot = async (name, { top = true } = {}) => {
    if (top) await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(OUT, `${name}.png`) });
  };

  await fileIncident(page, { place: 'Halaman TPS 003', description: 'Amplop berisi uang dibagikan kepada pemilih yang antre.', category: 'vote_buying', urgent: true });
  await server.stop();
  await fileIncident(page, { place: 'Jalan menuju TPS', description: 'Spanduk calon masih terpasang di masa tenang.', category: 'quiet_period_campaign' });
  // The confirmation after Simpan, with the server down: saved, waiting.
  await page.getByTestId('saved-state').filter({ hasText: 'Menunggu' }).waitFor();
  await shot('9-tersimpan', { top: false });

  await goTo(page, 'beranda');
  await shot('1-beranda');

  await goTo(page, 'baru');
  await shot('2-laporan-baru');

  await page.goto(new URL('#/baru/checklist', server.url).href);
  await page.locator('[data-item=opened_0700] .answer.yes').click();
  await page.locator('[data-item=kpps_oath] .answer.yes').click();
  await page.locator('[data-item=witnesses_mandate] .answer.no').click();
  await page.getByLabel('Catatan (tidak wajib)').fill('Saksi partai X memakai kaos partai');
  await shot('3-checklist');

  await page.goto(new URL('#/baru/kejadian', server.url).href);
  await page.getByLabel('Jenis kejadian').selectOption('intimidation');
  await page.getByLabel('Tempat kejadian').fill('Pintu masuk TPS 003');
  await shot('4-kejadian');
  // Two photos and the phone's position (emulated), as the volunteer sees them.
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ latitude: -1.265386, longitude: 116.831235, accuracy: 25 });
  await page.getByTestId('photo-pick').setInputFiles([
    { name: 'a.jpg', mimeType: 'image/jpeg', buffer: await cameraJpeg(page, 1600, 1200, 'TPS 003') },
    { name: 'b.jpg', mimeType: 'image/jpeg', buffer: await cameraJpeg(page, 1200, 1600, 'C.Hasil') },
  ]);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=photos] img')].filter((i) => i.naturalWidth > 0).length === 2);
  await page.getByTestId('location-use').click();
  await page.getByTestId('location-found').waitFor();
  await page.getByTestId('photos').scrollIntoViewIfNeeded();
  await shot('4b-kejadian-foto', { top: false });

  await page.goto(new URL('#/baru/hasil', server.url).href);
  await page.getByLabel('Jenis pemilihan').selectOption('president');
  await page.getByLabel('1. Anies Rasyid Baswedan – Abdul Muhaimin Iskandar').fill('61');
  await page.getByLabel('2. Prabowo Subianto – Gibran Rakabuming Raka').fill('112');
  await page.getByLabel('3. Ganjar Pranowo – Mahfud MD').fill('20');
  await page.getByLabel('Suara sah', { exact: true }).fill('203');
  await page.getByLabel('Suara tidak sah').fill('4');
  await page.getByLabel('Pengguna hak pilih').fill('180');
  // The participants from the ballot and the running total, under the contest.
  await page.evaluate(() => {
    const contest = document.querySelector('#contest');
    window.scrollTo(0, contest.getBoundingClientRect().top + window.scrollY - 100);
  });
  await shot('5-hasil-penghitungan', { top: false });
  await page.getByTestId('count-warnings').scrollIntoViewIfNeeded();
  await shot('5b-hasil-peringatan', { top: false });

  await goTo(page, 'kotak-keluar');
  await shot('6-kotak-keluar');

  await goTo(page, 'pengaturan');
  await shot('7-pengaturan');

  await page.getByLabel('English').check();
  await goTo(page, 'beranda');
  await shot('8-home-english');

  // The coordinators' desk, over a polling day in Balikpapan Timur.
  await server.start();
  const posted = await seedPollingDay(server);
  const desk = (await openDesk(browser, await server.addCoordinator('Panwaslu Kota Balikpapan', '6471'))).page;
  const deskShot = async (name) => {
    await desk.waitForTimeout(300);
    await desk.screenshot({ path: join(OUT, `${name}.png`) });
  };
  await desk.getByTestId('hours').waitFor();
  await deskShot('desk-1-beranda');
  await desk.goto(new URL('/desk/laporan?kind=incident', server.url).href);
  await desk.getByTestId('report-row').first().waitFor();
  await deskShot('desk-2-laporan');
  const urgent = posted.find((r) => r.body.urgent);
  await desk.goto(new URL(`/desk/laporan/${urgent.id}`, server.url).href);
  await desk.getByRole('radio', { name: 'Sedang ditinjau' }).check();
  await desk.getByLabel('Catatan (boleh kosong)').fill('Menghubungi pengawas TPS untuk saksi dan foto.');
  await desk.getByRole('button', { name: 'Simpan tinjauan' }).click();
  await desk.getByTestId('history').waitFor();
  await desk.evaluate(() => window.scrollTo(0, document.querySelector('[data-testid=review]').offsetTop - 80));
  await deskShot('desk-3-tinjauan');
  await desk.goto(new URL('/desk/cakupan?level=kelurahan', server.url).href);
  await desk.getByTestId('coverage-table').waitFor();
  await deskShot('desk-4-cakupan');
  await desk.goto(new URL('/desk/rekap', server.url).href);
  await desk.getByTestId('contest').waitFor();
  await deskShot('desk-5-rekap');
  await desk.setViewportSize({ width: 360, height: 740 });
  await desk.goto(new URL('/desk/', server.url).href);
  await desk.getByTestId('attention').waitFor();
  await deskShot('desk-6-beranda-360');
  await desk.getByRole('button', { name: 'Keluar' }).click();
  await desk.getByTestId('signed-out-reason').waitFor();
  await deskShot('desk-7-keluar-360');
  console.log(`screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await server.dispose();
}
