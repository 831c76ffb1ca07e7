import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CLUSTER_PROTO, PROTO_DIR } from './index.js';
import { decodeResourceList, encodeResourceList, type ListedResource } from './resource-list.js';
import { compressResourceList, packResources, unpackResources, unpackResourcesSync } from './packed.js';

// protobufjs is what proto-loader decodes with; reached through it so the check
// uses the very library the gRPC stack runs, without a dependency of our own.
const require = createRequire(import.meta.url);
const protobuf = createRequire(require.resolve('@grpc/proto-loader'))('protobufjs') as {
  loadSync(path: string): { lookupType(name: string): { encode(m: unknown): { finish(): Uint8Array }; decode(b: Uint8Array): unknown; toObject(m: unknown): unknown } };
};
const ResourceList = protobuf.loadSync(join(PROTO_DIR, CLUSTER_PROTO)).lookupType('portico.v1.ResourceList');

const sample: ListedResource[] = [
  { type: 'services', id: 's1', body: '{"id":"s1","name":"a"}' },
  // Lengths past one varint byte, multi-byte UTF-8 and an empty body.
  { type: 'routes', id: 'r-' + 'x'.repeat(200), body: JSON.stringify({ name: 'é ✓ 𝄞', paths: ['/'.repeat(20_000)] }) },
  { type: 'routes', id: '', body: '' },
  { type: 'plugins', id: 'p1', body: '{}' },
];
const encode = (rs: ListedResource[]) => Buffer.concat([...encodeResourceList(rs)]);

test('resource list: our encoding is the protobuf encoding of ResourceList, both ways', () => {
  const ours = encode(sample);
  const theirs = Buffer.from(ResourceList.encode({ resources: sample }).finish());
  assert.deepEqual(ours, theirs);
  assert.deepEqual(ResourceList.toObject(ResourceList.decode(ours)), { resources: sample });
  assert.deepEqual([...decodeResourceList(theirs)], sample);
});

test('resource list: a list larger than one chunk round-trips in order, types shared', () => {
  const many = Array.from({ length: 3000 }, (_, i) => ({ type: i % 2 ? 'routes' : 'services', id: `id-${i}`, body: `{"n":${i}}` }));
  const chunks = [...encodeResourceList(many)];
  assert.ok(chunks.length > 1, 'spans chunks');
  const back = [...decodeResourceList(Buffer.concat(chunks))];
  assert.deepEqual(back, many);
  assert.equal(back[1]!.type, back[3]!.type);
});

test('resource list: unknown fields are skipped, truncation throws', () => {
  // field 9 (varint 150) before the list item, field 4 (string "z") inside it.
  const extra = Buffer.from([0x48, 0x96, 0x01, 0x0a, 0x0d, 0x0a, 0x01, 0x74, 0x12, 0x01, 0x69, 0x1a, 0x02, 0x7b, 0x7d, 0x22, 0x01, 0x7a]);
  assert.deepEqual([...decodeResourceList(extra)], [{ type: 't', id: 'i', body: '{}' }]);
  const whole = encode(sample);
  assert.throws(() => [...decodeResourceList(whole.subarray(0, whole.length - 3))], /truncated/);
});

for (const compression of ['BROTLI', 'GZIP'] as const) {
  test(`packed resources (${compression}): unpack gives back exactly what was packed, async and sync`, async () => {
    const p = await packResources(sample, compression);
    assert.equal(p.count, sample.length);
    assert.equal(p.raw_size, encode(sample).length);
    assert.ok(p.data.length < p.raw_size, 'compressed');
    assert.deepEqual([...(await unpackResources(p, 1 << 20))], sample);
    assert.deepEqual([...unpackResourcesSync(p, 1 << 20)], sample);
  });
}

test('packed resources: corrupt data, a wrong count or size, and a payload larger than allowed are refused', async () => {
  const p = await packResources(sample, 'BROTLI');
  const flipped = Buffer.from(p.data);
  flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
  await assert.rejects(async () => [...(await unpackResources({ ...p, data: flipped }, 1 << 20))]);
  await assert.rejects(async () => [...(await unpackResources({ ...p, count: p.count + 1 }, 1 << 20))], /decoded/);
  await assert.rejects(async () => [...(await unpackResources({ ...p, count: p.count - 1 }, 1 << 20))], /more than/);
  await assert.rejects(async () => [...(await unpackResources({ ...p, raw_size: p.raw_size - 10 }, 1 << 20))]);
  await assert.rejects(() => unpackResources(p, p.raw_size - 1), /outside/);
  await assert.rejects(() => unpackResources({ ...p, compression: 'COMPRESSION_UNSPECIFIED' }, 1 << 20), /unknown compression/);
});

test('packed resources: a sink that fails makes compression reject instead of hang', async () => {
  const many = Array.from({ length: 2000 }, (_, i) => ({ type: 'routes', id: `r${i}`, body: `{"n":${i},"pad":"${'p'.repeat(i % 97)}"}` }));
  let chunks = 0;
  await assert.rejects(
    compressResourceList(many, 'GZIP', 'fast', () => {
      if (++chunks === 2) throw new Error('disk full');
    }),
    /disk full/,
  );
});
