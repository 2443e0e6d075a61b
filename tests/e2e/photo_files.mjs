// JPEG files as cameras make them, for the photo tests: drawn by Chromium,
// with an EXIF segment naming a phone and a GPS latitude added.

import { createHash } from 'node:crypto';

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** An EXIF APP1 segment naming a phone and a GPS latitude, as cameras write them. */
export function exifSegment() {
  const make = Buffer.from('PantauTestPhone\0', 'latin1');
  const tiff = Buffer.alloc(8 + 2 + 2 * 12 + 4 + make.length + 2 + 2 * 12 + 4 + 24);
  let at = 0;
  tiff.write('II', 0, 'latin1'); tiff.writeUInt16LE(42, 2); tiff.writeUInt32LE(8, 4); at = 8;
  const ifd0 = 8;
  const makeAt = ifd0 + 2 + 2 * 12 + 4;
  const gpsAt = makeAt + make.length;
  const rationalsAt = gpsAt + 2 + 2 * 12 + 4;
  tiff.writeUInt16LE(2, at); at += 2;
  // Make (ASCII), GPSInfo (LONG offset).
  tiff.writeUInt16LE(0x010f, at); tiff.writeUInt16LE(2, at + 2); tiff.writeUInt32LE(make.length, at + 4); tiff.writeUInt32LE(makeAt, at + 8); at += 12;
  tiff.writeUInt16LE(0x8825, at); tiff.writeUInt16LE(4, at + 2); tiff.writeUInt32LE(1, at + 4); tiff.writeUInt32LE(gpsAt, at + 8); at += 12;
  tiff.writeUInt32LE(0, at); at += 4;
  make.copy(tiff, makeAt); at = gpsAt;
  tiff.writeUInt16LE(2, at); at += 2;
  // GPSLatitudeRef "S", GPSLatitude 1° 15' 55".
  tiff.writeUInt16LE(1, at); tiff.writeUInt16LE(2, at + 2); tiff.writeUInt32LE(2, at + 4); tiff.write('S\0', at + 8, 'latin1'); at += 12;
  tiff.writeUInt16LE(2, at); tiff.writeUInt16LE(5, at + 2); tiff.writeUInt32LE(3, at + 4); tiff.writeUInt32LE(rationalsAt, at + 8); at += 12;
  tiff.writeUInt32LE(0, at); at = rationalsAt;
  for (const [n, d] of [[1, 1], [15, 1], [55, 1]]) { tiff.writeUInt32LE(n, at); tiff.writeUInt32LE(d, at + 4); at += 8; }
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0); header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
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

