// The protobuf wire encoding of `ResourceList { repeated Resource resources = 1; }`
// (Resource: type = 1, id = 2, body = 3, all strings), written by hand so a
// config of any size is encoded in bounded chunks straight from its resources
// and decoded into exactly one string per field, with no message objects in
// between. Any protobuf library reads and writes the same bytes
// (resource-list.test.ts checks it against protobufjs).

export interface ListedResource {
  type: string;
  id: string;
  body: string;
}

/** Chunks are about this big; a larger resource gets a chunk of its own. */
const CHUNK = 64 * 1024;
/** Tag of a length-delimited field: (field << 3) | 2. */
const ITEM = (1 << 3) | 2;
const TYPE = (1 << 3) | 2;
const ID = (2 << 3) | 2;
const BODY = (3 << 3) | 2;

const varintSize = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

function writeVarint(buf: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[at++] = n;
  return at;
}

/**
 * The ResourceList encoding of `resources`, as a sequence of buffers
 * (concatenated, they are the message). With `reuse`, every chunk is written
 * into the same buffer, so a chunk is valid only until the generator resumes:
 * for a consumer that is done with each chunk before asking for the next.
 */
export function* encodeResourceList(resources: Iterable<ListedResource>, opts: { reuse?: boolean } = {}): Generator<Buffer> {
  let chunk = Buffer.allocUnsafe(CHUNK);
  let at = 0;
  for (const r of resources) {
    const t = Buffer.byteLength(r.type);
    const i = Buffer.byteLength(r.id);
    const b = Buffer.byteLength(r.body);
    const inner = 1 + varintSize(t) + t + 1 + varintSize(i) + i + 1 + varintSize(b) + b;
    const size = 1 + varintSize(inner) + inner;
    if (at + size > chunk.length) {
      if (at > 0) yield chunk.subarray(0, at);
      if (!opts.reuse || chunk.length < size) chunk = Buffer.allocUnsafe(Math.max(CHUNK, size));
      at = 0;
    }
    chunk[at++] = ITEM;
    at = writeVarint(chunk, at, inner);
    chunk[at++] = TYPE;
    at = writeVarint(chunk, at, t);
    at += chunk.write(r.type, at, 'utf8');
    chunk[at++] = ID;
    at = writeVarint(chunk, at, i);
    at += chunk.write(r.id, at, 'utf8');
    chunk[at++] = BODY;
    at = writeVarint(chunk, at, b);
    at += chunk.write(r.body, at, 'utf8');
  }
  if (at > 0) yield chunk.subarray(0, at);
}

/**
 * The resources of a ResourceList message, in order. Unknown fields are
 * skipped (a newer sender may add some); anything malformed throws. Every
 * string is a fresh copy, so nothing keeps `buf` alive afterwards; a type is
 * decoded once per distinct value and shared.
 */
export function* decodeResourceList(buf: Buffer): Generator<ListedResource> {
  const types: string[] = [];
  let pos = 0;
  const varint = (end: number): number => {
    let n = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= end) throw new Error('resource list: truncated varint');
      const byte = buf[pos++]!;
      n += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return n;
    }
    throw new Error('resource list: varint too long');
  };
  const skip = (wire: number, end: number): void => {
    if (wire === 0) varint(end);
    else if (wire === 1) pos += 8;
    else if (wire === 2) {
      const len = varint(end); // read first: `pos += varint()` would add to the position from before the length
      pos += len;
    }
    else if (wire === 5) pos += 4;
    else throw new Error(`resource list: unsupported wire type ${wire}`);
    if (pos > end) throw new Error('resource list: truncated field');
  };
  const same = (t: string, start: number, end: number): boolean => {
    if (t.length !== end - start) return false;
    for (let k = 0; k < t.length; k++) if (t.charCodeAt(k) !== buf[start + k]) return false;
    return true;
  };
  const type = (start: number, end: number): string => {
    for (const t of types) if (same(t, start, end)) return t;
    const t = buf.toString('utf8', start, end);
    // Only ASCII names are shared: the byte-per-char comparison above is exact for them alone.
    if (types.length < 32 && Buffer.byteLength(t) === t.length) types.push(t);
    return t;
  };
  while (pos < buf.length) {
    const tag = varint(buf.length);
    if (tag !== ITEM) {
      skip(tag & 7, buf.length);
      continue;
    }
    const len = varint(buf.length);
    const end = pos + len;
    if (end > buf.length) throw new Error('resource list: truncated resource');
    const r: ListedResource = { type: '', id: '', body: '' };
    while (pos < end) {
      const ftag = varint(end);
      if (ftag === TYPE || ftag === ID || ftag === BODY) {
        const flen = varint(end);
        const fend = pos + flen;
        if (fend > end) throw new Error('resource list: truncated string');
        if (ftag === TYPE) r.type = type(pos, fend);
        else if (ftag === ID) r.id = buf.toString('utf8', pos, fend);
        else r.body = buf.toString('utf8', pos, fend);
        pos = fend;
      } else {
        skip(ftag & 7, end);
      }
    }
    yield r;
  }
}
