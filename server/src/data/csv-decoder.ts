// Bytes → text for the CSV reader, strictly: a file that is not valid in its encoding is an
// error naming the line, never text with U+FFFD in place of the bytes it could not read.
// A NUL byte is an error in any encoding: text never holds one (a UTF-16 file holds many).

export class CsvDecodeError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

/** Offset of the first byte that starts no valid UTF-8 sequence (skipping a sequence's tail left by the previous chunk). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < b.length && (b[i] & 0xc0) === 0x80) i++;
  while (i < b.length) {
    const c = b[i];
    const len = c < 0x80 ? 1 : (c & 0xe0) === 0xc0 && c >= 0xc2 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) {
      if (i + k >= b.length) return i;
      if ((b[i + k] & 0xc0) !== 0x80) return i;
    }
    i += len;
  }
  return Math.max(0, b.length - 1);
}

function newlinesBefore(b: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (b[i] === 10) n++;
  return n;
}

export class CsvDecoder {
  private readonly decoder: TextDecoder;
  private first = true;

  /** `lineAtChunkStart` is the 1-based line the next chunk starts on (the tokenizer knows it). */
  constructor(encoding: 'utf8' | 'latin1', private readonly lineAtChunkStart: () => number) {
    this.decoder = new TextDecoder(encoding === 'latin1' ? 'latin1' : 'utf-8', { fatal: true });
  }

  /** Decodes the next chunk; `last` flushes (a sequence cut at the end is then an error). */
  decode(bytes: Uint8Array, last = false): string {
    if (this.first && bytes.length >= 2) {
      this.first = false;
      if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
        throw new CsvDecodeError('the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8 (or CSV UTF-8 in a spreadsheet)', 1);
      }
    }
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
      const line = this.lineAtChunkStart() + newlinesBefore(bytes, nul);
      throw new CsvDecodeError(`line ${line} holds a NUL byte, which text never contains: the file may be UTF-16 or damaged; save it as UTF-8 text, or remove the byte`, line);
    }
    try {
      return this.decoder.decode(bytes, { stream: !last });
    } catch {
      const at = firstInvalidUtf8(bytes);
      const line = this.lineAtChunkStart() + newlinesBefore(bytes, at);
      throw new CsvDecodeError(`line ${line} is not valid UTF-8 (byte 0x${bytes[at].toString(16)}); if the file is Latin-1 or Windows-1252, add encoding: "latin1" to the dataset, or save the file as UTF-8`, line);
    }
  }
}
