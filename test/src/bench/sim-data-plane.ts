// A light simulated data plane: the real cluster protocol (clusterProto(),
// the cluster token, hello → push → ACK) without compiling or serving. It
// accepts packed pushes as a real data plane does (and does not unpack them). S6
// connects many of them to measure the control plane's memory per stream; S5
// uses one to count the bytes each config change puts on the wire (the gRPC
// message as received, before decoding; HTTP/2 framing not included).
import * as grpc from '@grpc/grpc-js';
import { clusterProto, READABLE_COMPRESSIONS, type ClusterStream, type ControlPlaneMessage, type DataPlaneMessage } from '@portico/proto';
import { CLUSTER_TOKEN } from '../lib/processes.js';

export interface SimPush {
  version: number;
  full: boolean;
  bytes: number;
  resources: number;
  removed: number;
}

export interface SimNode {
  id: string;
  pushes: SimPush[];
  version(): number;
  waitForVersion(v: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** The Cluster client with a response deserializer that notes each message's size (one per node, so sizes never mix). */
function countingClient(onBytes: (n: number) => void): grpc.ServiceClientConstructor {
  const { service } = clusterProto();
  const stream = service['Stream']!;
  const deserialize = stream.responseDeserialize;
  return grpc.makeGenericClientConstructor(
    {
      Stream: {
        ...stream,
        responseDeserialize: (buf: Buffer) => {
          onBytes(buf.length);
          return deserialize(buf);
        },
      },
    },
    'Cluster',
  );
}

/** `acceptPacked: false` plays a data plane built before packed pushes (everything arrives listed). */
export function connectSimNode(address: string, id: string, opts: { acceptPacked?: boolean } = {}): SimNode {
  // Messages are decoded in arrival order and handed over in that order, so a FIFO pairs each size with its push.
  const sizes: number[] = [];
  const Client = countingClient((n) => sizes.push(n));
  const client = new Client(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 256 * 1024 * 1024 });
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${CLUSTER_TOKEN}`);
  const call = (client as unknown as { Stream(md: grpc.Metadata): ClusterStream }).Stream(md);
  const pushes: SimPush[] = [];
  let version = 0;
  let waiters: { v: number; resolve: () => void }[] = [];
  call.on('data', (msg: ControlPlaneMessage) => {
    if (msg.kind !== 'push') return;
    const p = msg.push;
    pushes.push({ version: p.version, full: p.full, bytes: sizes.shift() ?? 0, resources: p.packed ? p.packed.count : p.resources.length, removed: p.removed.length });
    version = p.version;
    call.write({ ack: { version: p.version, nonce: p.nonce } } as unknown as DataPlaneMessage);
    waiters = waiters.filter((w) => (w.v <= version ? (w.resolve(), false) : true));
  });
  call.on('error', () => undefined);
  call.write({ hello: { node: { id, hostname: 'bench-sim', software_version: 'bench', labels: { sim: 'true' } }, version: 0, hash: '', accept_packed: opts.acceptPacked === false ? [] : READABLE_COMPRESSIONS } } as unknown as DataPlaneMessage);
  return {
    id,
    pushes,
    version: () => version,
    waitForVersion: (v, timeoutMs = 30_000) =>
      v <= version
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`${id}: version ${v} not pushed within ${timeoutMs} ms (at ${version})`)), timeoutMs);
            waiters.push({ v, resolve: () => (clearTimeout(t), resolve()) });
          }),
    close: () => {
      call.cancel();
      client.close();
    },
  };
}
