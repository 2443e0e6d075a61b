// JPEG files as cameras make them, for the photo tests: drawn by Chromium,
// with an EXIF segment naming a phone and a GPS latitude added.

import { createHash } from 'node:crypto';

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** When the test camera says it took its photos (EXIF DateTimeOriginal with OffsetTimeOriginal). */
export const CAMERA_TIME = '2026-02-14T07:41:05+08:00';

/**
 * An EXIF APP1 segment as cameras write it: the phone's make, the capture time
 * with its offset (CAMERA_TIME), and a GPS latitude.
 */
export function exifSegment() {
  // Little-endian TIFF: IFD0 (Make, ExifIFD, GPSInfo), the Exif IFD
  // (DateTimeOriginal, OffsetTimeOriginal), the GPS IFD (latitude), then values.
  const values = [];
  let valuesAt = 8 + (2 + 3 * 12 + 4) + (2 + 2 * 12 + 4) + (2 + 2 * 12 + 4);
  const value = (bytes) => { const at = valuesAt; values.push(bytes); valuesAt += bytes.length; return at; };
  const ascii = (text) => Buffer.from(`${text}\0`, 'latin1');
  const ifd = (entries) => {
    const b = Buffer.alloc(2 + entries.length * 12 + 4);
    b.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, count, inline], k) => {
      const at = 2 + 12 * k;
      b.writeUInt16LE(tag, at); b.writeUInt16LE(type, at + 2); b.writeUInt32LE(count, at + 4);
      if (Buffer.isBuffer(inline)) inline.copy(b, at + 8); else b.writeUInt32LE(inline, at + 8);
    });
    return b;
  };
  const text = (tag, t) => { const b = ascii(t); return b.length <= 4 ? [tag, 2, b.length, b] : [tag, 2, b.length, value(b)]; };
  const [date, clock] = CAMERA_TIME.slice(0, 19).split('T');
  const exifAt = 8 + (2 + 3 * 12 + 4);
  const gpsAt = exifAt + (2 + 2 * 12 + 4);
  const ifd0 = ifd([text(0x010f, 'PantauTestPhone'), [0x8769, 4, 1, exifAt], [0x8825, 4, 1, gpsAt]]);
  const exif = ifd([text(0x9003, `${date.replaceAll('-', ':')} ${clock}`), text(0x9011, CAMERA_TIME.slice(19))]);
  const rationals = Buffer.alloc(24);
  [[1, 1], [15, 1], [55, 1]].forEach(([n, d], k) => { rationals.writeUInt32LE(n, 8 * k); rationals.writeUInt32LE(d, 8 * k + 4); });
  // GPSLatitudeRef "S", GPSLatitude 1° 15' 55".
  const gps = ifd([[1, 2, 2, Buffer.from('S\0', 'latin1')], [2, 5, 3, value(rationals)]]);
  const header = Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]);
  const tiff = Buffer.concat([header, ifd0, exif, gps, ...values]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xffe1, 0); segment.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([segment, body]);
}

/** A `width`×`height` JPEG drawn by Chromium (a busy scene, like a tally sheet), with EXIF GPS added. */
export async function cameraJpeg(page, width, height, label = '') {
  const base64 = await page.evaluate(async ([width, height, label]) => {
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext('2d');
    g.fillStyle = '#f4f1e8'; g.fillRect(0, 0, width, height);
    g.fillStyle = '#222'; g.font = `${Math.round(height / 40)}px sans-serif`;
    for (let y = 1; y < 40; y++) g.fillText(`${label} Baris ${y}: 0${y * 7} suara sah, ${y * 3} tidak sah`, 40, (y * height) / 40);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }, [width, height, label]);
  const jpeg = Buffer.from(base64, 'base64');
  return Buffer.concat([jpeg.subarray(0, 2), exifSegment(), jpeg.subarray(2)]);
}

/**
 * A JPEG whose top `fraction` is noise (a photo's grain does not compress):
 * at 1600 × 1200, a quarter of noise re-encodes to about 300 KB.
 */
export async function grainyJpeg(page, width, height, fraction) {
  const base64 = await page.evaluate(async ([width, height, fraction]) => {
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext('2d');
    g.fillStyle = '#f4f1e8'; g.fillRect(0, 0, width, height);
    const grain = g.createImageData(width, Math.round(height * fraction));
    let x = 12345;
    for (let i = 0; i < grain.data.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      grain.data[i] = i % 4 === 3 ? 255 : (x >> 16) & 255;
    }
    g.putImageData(grain, 0, 0);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }, [width, height, fraction]);
  return Buffer.from(base64, 'base64');
}

/** The JPEG's frame size and whether it holds an EXIF segment. */
export function jpegFacts(bytes) {
  let i = 2;
  let exif = false;
  let size = null;
  while (i + 4 < bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    const length = bytes.readUInt16BE(i + 2);
    if (marker === 0xe1 && bytes.subarray(i + 4, i + 8).toString('latin1') === 'Exif') exif = true;
    if (marker >= 0xc0 && marker <= 0xc3) size = [bytes.readUInt16BE(i + 7), bytes.readUInt16BE(i + 5)];
    if (marker === 0xda) break;
    i += 2 + length;
  }
  return { size, exif };
}

/** SOI, a baseline frame header of 8160×6120, a scan and EOI: the size of a 50 MP camera's photo. */
export function fiftyMegapixelHeader() {
  const sof = Buffer.from([0xff, 0xc0, 0, 11, 8, 6120 >> 8, 6120 & 255, 8160 >> 8, 8160 & 255, 1, 1, 0x11, 0]);
  const sos = Buffer.from([0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, sos, Buffer.from([0x12, 0x34, 0xff, 0xd9])]);
}

