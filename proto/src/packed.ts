// PackedResources: a compressed ResourceList (see cluster.proto). The control
// plane packs a large push's resources once and shares the bytes across
// streams; the data plane unpacks them and writes the same format to its disk
// cache. Compression runs in a zlib stream fed chunk by chunk from one reused
// buffer, so the whole uncompressed list never exists on the packing side.
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { decodeResourceList, encodeResourceList, type ListedResource } from './resource-list.js';

/** The enum's names as proto-loader (enums: String) reads and writes them. */
export type WireCompression = 'COMPRESSION_UNSPECIFIED' | 'GZIP' | 'BROTLI';
export type Compression = Exclude<WireCompression, 'COMPRESSION_UNSPECIFIED'>;

export interface PackedResources {
  compression: WireCompression;
  data: Buffer;
  count: number;
  raw_size: number;
}

/** What this build can unpack, preferred first: what a node puts in hello's accept_packed. */
export const READABLE_COMPRESSIONS: readonly Compression[] = ['BROTLI', 'GZIP'];

/** The first of `preferred` that `accepted` lists, or null when the peer reads none of them. */
export function pickCompression(accepted: readonly string[], preferred: readonly Compression[] = READABLE_COMPRESSIONS): Compression | null {
  return preferred.find((c) => accepted.includes(c)) ?? null;
}

/**
 * A compressing stream. `small` is for bytes sent to many nodes: brotli at
 * quality 5 (not zlib's default 11) packs the 6.8 MB of 10,000 routes into
 * ~0.38 MB in ~0.1 s, where 11 takes seconds for a few percent less. `fast`
 * is for bytes written once (the disk cache): quality 1, ~0.46 MB in ~15 ms.
 * gzip is the portable fallback.
 */
export function createCompressor(compression: Compression, effort: 'small' | 'fast' = 'small'): zlib.BrotliCompress | zlib.Gzip {
  // A 256 KiB window (not 4 MiB): a config's repeats are near each other, so the output is no
  // larger (377 vs 390 KB at 10,000 routes) and the encoder holds a few MB less while it runs.
  if (compression === 'BROTLI') return zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: effort === 'small' ? 5 : 1, [zlib.constants.BROTLI_PARAM_LGWIN]: 18 } });
  return zlib.createGzip({ level: effort === 'small' ? 6 : 1 });
}

export interface CompressedList {
  count: number;
  raw_size: number;
}

/**
 * Encodes `resources` and feeds them through a compressor (zlib works in the
 * thread pool, off the main thread), handing each compressed chunk to `sink`
 * as it comes. One 64 KiB encoding buffer is reused: each chunk is written
 * only once zlib has consumed the one before, so encoding a config of any
 * size allocates one buffer, not one per chunk.
 */
export async function compressResourceList(resources: Iterable<ListedResource>, compression: Compression, effort: 'small' | 'fast', sink: (chunk: Buffer) => void | Promise<void>): Promise<CompressedList> {
  const z = createCompressor(compression, effort);
  let failed: (err: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  failure.catch(() => undefined);
  const drained = (async () => {
    for await (const b of z) await sink(b as Buffer);
  })();
  // A failing sink or compressor must not leave the feeding loop waiting on a write that never completes.
  drained.catch((err: unknown) => {
    failed(err);
    z.destroy();
  });
  let count = 0;
  let raw = 0;
  function* counted(): Generator<ListedResource> {
    for (const r of resources) {
      count++;
      yield r;
    }
  }
  try {
    for (const chunk of encodeResourceList(counted(), { reuse: true })) {
      raw += chunk.length;
      // zlib calls back once it has consumed the whole chunk, so the buffer can be refilled.
      await Promise.race([new Promise<void>((resolve, reject) => z.write(chunk, (err) => (err ? reject(err) : resolve()))), failure]);
    }
    z.end();
    await Promise.race([drained, failure]);
  } catch (err) {
    z.destroy();
    throw err;
  }
  return { count, raw_size: raw };
}

/** Encodes and compresses `resources` into one payload. */
export async function packResources(resources: Iterable<ListedResource>, compression: Compression): Promise<PackedResources> {
  const out: Buffer[] = [];
  let size = 0;
  const { count, raw_size } = await compressResourceList(resources, compression, 'small', (b) => {
    out.push(b);
    size += b.length;
  });
  return { compression, data: out.length === 1 ? out[0]! : Buffer.concat(out, size), count, raw_size };
}

const brotliDecompress = promisify(zlib.brotliDecompress);
const gunzip = promisify(zlib.gunzip);

/** Refuses what cannot be unpacked before spending anything on it. */
function checkHeader(p: PackedResources, maxRawSize: number): void {
  if (p.compression !== 'BROTLI' && p.compression !== 'GZIP') throw new Error(`packed resources: unknown compression '${p.compression}'`);
  if (!Number.isSafeInteger(p.raw_size) || p.raw_size < 0 || p.raw_size > maxRawSize) throw new Error(`packed resources: raw size ${p.raw_size} is outside 0..${maxRawSize}`);
}

/** Above this, output comes in chunks of this size (and is concatenated) rather than one buffer allocated up front. */
const MAX_OUTPUT_CHUNK = 64 * 1024 * 1024;

/**
 * Decompression options: the output may not exceed the stated size (so a
 * corrupt or hostile payload cannot balloon), and one output chunk of exactly
 * that size means zlib hands back that chunk instead of concatenating copies.
 */
const inflateOptions = (rawSize: number): zlib.ZlibOptions & zlib.BrotliOptions => ({ maxOutputLength: Math.max(1, rawSize), chunkSize: Math.min(Math.max(64, rawSize), MAX_OUTPUT_CHUNK) });

function listOf(raw: Buffer, p: PackedResources): Generator<ListedResource> {
  if (raw.length !== p.raw_size) throw new Error(`packed resources: ${raw.length} bytes unpacked, ${p.raw_size} stated`);
  return checkedCount(decodeResourceList(raw), p.count);
}

function* checkedCount(list: Generator<ListedResource>, count: number): Generator<ListedResource> {
  let n = 0;
  for (const r of list) {
    if (++n > count) throw new Error(`packed resources: more than the ${count} stated`);
    yield r;
  }
  if (n !== count) throw new Error(`packed resources: ${n} decoded, ${count} stated`);
}

/**
 * The resources of a packed payload, decompressed in the thread pool. The
 * returned generator decodes lazily and throws if the content does not match
 * the stated count; the caller must consume it fully before trusting it.
 */
export async function unpackResources(p: PackedResources, maxRawSize: number): Promise<Generator<ListedResource>> {
  checkHeader(p, maxRawSize);
  const raw = await (p.compression === 'BROTLI' ? brotliDecompress : gunzip)(p.data, inflateOptions(p.raw_size));
  return listOf(raw, p);
}

/** unpackResources on the calling thread: for start-up, before there is anything else to do. */
export function unpackResourcesSync(p: PackedResources, maxRawSize: number): Generator<ListedResource> {
  checkHeader(p, maxRawSize);
  const raw = (p.compression === 'BROTLI' ? zlib.brotliDecompressSync : zlib.gunzipSync)(p.data, inflateOptions(p.raw_size));
  return listOf(raw, p);
}
