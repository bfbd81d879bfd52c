import { ModelError } from '../modelError.ts';

const BLOCK = 512;

/** True when the bytes carry a ustar header (torch ≤0.3's tar checkpoint format). */
export function looksLikeTar(bytes: Uint8Array): boolean {
  return bytes.length >= BLOCK && new TextDecoder('latin1').decode(bytes.subarray(257, 262)) === 'ustar';
}

/**
 * The regular files of a tar archive held in memory, by name (ustar, GNU long names and pax `path`/`size`
 * records). Errors name `file`.
 */
export function readTarMembers(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const decoder = new TextDecoder('utf-8');
  const members = new Map<string, Uint8Array>();
  let offset = 0;
  let pending: { name?: string; size?: number } = {};
  while (offset + BLOCK <= bytes.length) {
    const header = bytes.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return members; // end-of-archive blocks
    const text = (start: number, length: number): string => {
      const field = header.subarray(start, start + length);
      const zero = field.indexOf(0);
      return decoder.decode(zero < 0 ? field : field.subarray(0, zero));
    };
    const sizeText = text(124, 12).trim();
    if (!/^[0-7]*$/.test(sizeText)) throw new ModelError('MODEL_SOURCE_INVALID', `tar header at byte ${offset} has size "${sizeText}"`, file);
    const size = pending.size ?? (sizeText === '' ? 0 : Number.parseInt(sizeText, 8));
    const type = String.fromCharCode(header[156]!);
    const prefix = text(345, 155);
    const name = pending.name ?? (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100));
    const dataStart = offset + BLOCK;
    if (dataStart + size > bytes.length) {
      throw new ModelError('MODEL_TRUNCATED', `tar member ${name} needs ${size} bytes but the file ends first; it was probably cut short`, file);
    }
    const data = bytes.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      pending = parsePax(decoder.decode(data));
      continue;
    }
    if (type === 'L') {
      pending = { name: decoder.decode(data).replace(/\0+$/, '') };
      continue;
    }
    pending = {};
    if (type === '0' || type === '\0') members.set(name.replace(/^\.\//, ''), data);
  }
  throw new ModelError('MODEL_TRUNCATED', 'the tar archive has no end-of-archive blocks; it was probably cut short', file);
}

/** pax records are "<length> <key>=<value>\n"; only path and size matter here. */
function parsePax(text: string): { name?: string; size?: number } {
  const result: { name?: string; size?: number } = {};
  for (const record of text.split('\n')) {
    const match = /^\d+ ([^=]+)=(.*)$/.exec(record);
    if (match?.[1] === 'path') result.name = match[2];
    if (match?.[1] === 'size') result.size = Number(match[2]);
  }
  return result;
}
