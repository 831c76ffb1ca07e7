// Test support: a scripted control plane on real gRPC (127.0.0.1, ephemeral or
// given port). Tests decide exactly which pushes a node gets — including ones a
// correct control plane never sends (wrong delta base, wrong hash). Not
// exported from the package.
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { configHash, type Resource } from '@portico/shared';
import { clusterProto, type ClusterServerStream, type ConfigPush, type ControlPlaneMessage, type DataPlaneMessage } from '@portico/proto';

export class ScriptedControlPlane {
  readonly received: DataPlaneMessage[] = [];
  streams: ClusterServerStream[] = [];
  /** Streams refused for a bad token. */
  refused = 0;
  port = 0;
  private server: grpc.Server | null = null;

  constructor(private readonly token: string, private readonly onHello?: (cp: ScriptedControlPlane, call: ClusterServerStream, msg: DataPlaneMessage & { kind: 'hello' }) => void) {}

  async start(port = 0): Promise<this> {
    const server = new grpc.Server();
    server.addService(clusterProto().service, {
      Stream: (call: ClusterServerStream) => {
        call.on('error', () => undefined);
        if (call.metadata.get('authorization')[0] !== `Bearer ${this.token}`) {
          this.refused++;
          call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: 'missing or invalid cluster token' });
          return;
        }
        this.streams.push(call);
        call.on('data', (m: DataPlaneMessage) => {
          this.received.push(m);
          if (m.kind === 'hello') this.onHello?.(this, call, m);
        });
        call.on('end', () => call.end());
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
    return this;
  }

  /** Sends a push on the newest stream. */
  push(p: Omit<ConfigPush, 'nonce'> & { nonce?: string }): ConfigPush {
    const full: ConfigPush = { nonce: randomUUID(), ...p };
    this.streams[this.streams.length - 1]!.write({ push: full } as unknown as ControlPlaneMessage);
    return full;
  }

  pushFull(version: number, resources: Resource[]): ConfigPush {
    return this.push({ version, hash: configHash(resources), full: true, base_version: 0, resources, removed: [] });
  }

  of<K extends DataPlaneMessage['kind']>(kind: K): Extract<DataPlaneMessage, { kind: K }>[] {
    return this.received.filter((m): m is Extract<DataPlaneMessage, { kind: K }> => m.kind === kind);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.streams) s.emit('error', { code: grpc.status.UNAVAILABLE, details: 'bye' });
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 500);
      server.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

export async function eventually(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const svc = (id: string, port = 80): Resource => ({ type: 'services', id, body: JSON.stringify({ id, name: id, host: `${id}.example.com`, port }) });
