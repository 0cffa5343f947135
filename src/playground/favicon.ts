/**
 * Factlog's icon, a white "F" on a rounded blue square, as a 16×16 Windows icon (.ico). Browsers ask for
 * /favicon.ico on every page they open here; built from this picture at load, it needs no binary file
 * in the repository or the image.
 */
const PICTURE = [
  '.bbbbbbbbbbbbbb.',
  'bbbbbbbbbbbbbbbb',
  'bbbbbbbbbbbbbbbb',
  'bbbbwwwwwwwwwbbb',
  'bbbbwwwwwwwwwbbb',
  'bbbbwwbbbbbbbbbb',
  'bbbbwwbbbbbbbbbb',
  'bbbbwwwwwwwwbbbb',
  'bbbbwwwwwwwwbbbb',
  'bbbbwwbbbbbbbbbb',
  'bbbbwwbbbbbbbbbb',
  'bbbbwwbbbbbbbbbb',
  'bbbbwwbbbbbbbbbb',
  'bbbbbbbbbbbbbbbb',
  'bbbbbbbbbbbbbbbb',
  '.bbbbbbbbbbbbbb.',
];

/** B, G, R, A as a 32-bit icon stores them. */
const COLORS: Readonly<Record<string, readonly [number, number, number, number]>> = {
  '.': [0, 0, 0, 0],
  b: [0xc4, 0x5a, 0x1f, 0xff], // #1f5ac4
  w: [0xff, 0xff, 0xff, 0xff],
};

function icon(picture: readonly string[]): Buffer {
  const size = picture.length;
  // The AND mask has one bit per pixel, each row padded to 4 bytes; 32-bit pixels carry their own alpha,
  // so it only marks the transparent ones for old readers.
  const maskRow = Math.ceil(size / 32) * 4;
  const pixels = Buffer.alloc(size * size * 4);
  const mask = Buffer.alloc(maskRow * size);
  // Rows are stored bottom-up.
  picture.forEach((line, y) => {
    const row = size - 1 - y;
    [...line].forEach((ch, x) => {
      const color = COLORS[ch] ?? COLORS['.']!;
      pixels.set(color, (row * size + x) * 4);
      if (color[3] === 0) mask[row * maskRow + (x >> 3)]! |= 0x80 >> (x & 7);
    });
  });
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0); // BITMAPINFOHEADER
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // the pixels and the mask, stacked
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([header, pixels, mask]);
  const directory = Buffer.alloc(22);
  directory.writeUInt16LE(1, 2); // type: icon
  directory.writeUInt16LE(1, 4); // one image
  directory.writeUInt8(size, 6);
  directory.writeUInt8(size, 7);
  directory.writeUInt16LE(1, 10);
  directory.writeUInt16LE(32, 12);
  directory.writeUInt32LE(image.length, 14);
  directory.writeUInt32LE(directory.length, 18);
  return Buffer.concat([directory, image]);
}

export const FAVICON_ICO = icon(PICTURE);
