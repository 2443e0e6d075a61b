// Reduces a photo off the page's thread, with the browser's own decoder:
// long edge at most 1600 px, JPEG at quality 0.75, named by the SHA-256 of
// its bytes. Re-encoding drops EXIF (the phone's model and its GPS); the
// browser applies the EXIF orientation while decoding.
// In: the file. Out: {blob, sha256, width, height, taken} or {error, detail};
// taken is the capture time in ms since the epoch (EXIF, else the file's time).
// A tab of the version before still posts {id, file} and matches answers by
// id: it is answered in kind (new Worker() fetches this file from the new cache).
const EDGE = 1600;
const QUALITY = 0.75;
// Decoding takes 4 bytes a pixel: a cheap phone runs out of memory above this.
const MAX_PIXELS = 40e6;

self.onmessage = async (event) => {
  const message = event.data;
  const older = !(message instanceof Blob);
  let answer;
  try {
    answer = await reduce(older ? message.file : message);
  } catch (e) {
    answer = { error: "failed", detail: String((e && e.message) || e) };
  }
  self.postMessage(older ? { id: message && message.id, ...answer } : answer);
};

async function reduce(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const size = jpeg ? jpegSize(bytes) : pngSize(bytes);
  if (size && size[0] * size[1] > MAX_PIXELS) {
    return { error: "too_many_pixels", detail: `${size[0]}×${size[1]}` };
  }
  if (jpeg && !size) return { error: "truncated" };
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (e) {
    const image = size || (file.type || "").startsWith("image/");
    return { error: image ? "unreadable" : "not_image", detail: file.type || "" };
  }
  const scale = Math.min(1, EDGE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
  const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  const taken = (jpeg && exifTaken(bytes)) || file.lastModified || null;
  return { blob, sha256, width, height, taken };
}

// The camera's DateTimeOriginal (with its OffsetTimeOriginal, else the phone's
// zone) in ms since the epoch, or null when the JPEG does not say.
function exifTaken(b) {
  for (let i = 2; i + 10 < b.length && b[i] === 0xff && b[i + 1] !== 0xda; ) {
    const length = (b[i + 2] << 8) | b[i + 3];
    if (b[i + 1] === 0xe1 && String.fromCharCode(...b.subarray(i + 4, i + 8)) === "Exif") {
      try { return tiffTaken(b.subarray(i + 10, i + 2 + length)); } catch (e) { return null; }
    }
    i += 2 + length;
  }
  return null;
}

function tiffTaken(t) {
  const le = t[0] === 0x49;
  const u16 = (o) => (le ? t[o] | (t[o + 1] << 8) : (t[o] << 8) | t[o + 1]);
  const u32 = (o) => (le ? u16(o) + u16(o + 2) * 65536 : u16(o) * 65536 + u16(o + 2));
  const entry = (ifd, tag) => {
    for (let k = 0, n = u16(ifd); k < n && ifd + 14 + 12 * k <= t.length; k++) {
      if (u16(ifd + 2 + 12 * k) === tag) return ifd + 2 + 12 * k;
    }
    return null;
  };
  const text = (e) => {
    const n = u32(e + 4);
    const at = n > 4 ? u32(e + 8) : e + 8;
    return String.fromCharCode(...t.subarray(at, at + n)).replace(/\0[^]*$/, "");
  };
  const sub = entry(u32(4), 0x8769);
  const original = sub === null ? null : entry(u32(sub + 8), 0x9003);
  const m = original === null ? null : /^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(text(original));
  if (!m) return null;
  const zoneAt = entry(u32(sub + 8), 0x9011);
  const zone = zoneAt === null ? "" : text(zoneAt);
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${/^[+-]\d\d:\d\d$/.test(zone) ? zone : ""}`);
  return Number.isFinite(ms) ? ms : null;
}

// [width, height] from a JPEG's frame header, or null when the file ends
// before its image data does (no end-of-image marker after the scan starts).
function jpegSize(b) {
  let i = 2;
  let size = null;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) { i++; continue; }
    const length = (b[i + 2] << 8) | b[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && i + 8 < b.length) {
      size = [(b[i + 7] << 8) | b[i + 8], (b[i + 5] << 8) | b[i + 6]];
    }
    if (marker === 0xda) {
      // In scan data 0xFF is followed by 0x00 or a restart marker; 0xFF 0xD9 ends the image.
      for (let j = i + 2 + length; j + 1 < b.length; j++) {
        if (b[j] === 0xff && b[j + 1] === 0xd9) return size;
      }
      return null;
    }
    i += 2 + length;
  }
  return null;
}

function pngSize(b) {
  if (b.length < 24 || b[0] !== 0x89 || b[1] !== 0x50) return null;
  const u32 = (at) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  return [u32(16), u32(20)];
}
