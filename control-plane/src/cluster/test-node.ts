// Test support: a scripted data-plane node speaking the real protocol over
// real gRPC, so server tests can send exactly the ACK/NACK/resync they mean.
// Not exported from the package.
import * as grpc from '@grpc/grpc-js';
import { clusterProto, type ClusterStream, type ConfigPush, type ControlPlaneMessage, type DataPlaneMessage, type WireUpstreamHealth } from '@portico/proto';

export class TestNode {
  readonly pushes: ConfigPush[] = [];
  status: grpc.StatusObject | null = null;
  private readonly client: grpc.Client;
  private readonly call: ClusterStream;
  private waiters: (() => void)[] = [];

  constructor(port: number, token: string | null) {
    const { Client } = clusterProto();
    this.client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    if (token !== null) md.set('authorization', `Bearer ${token}`);
    this.call = (this.client as InstanceType<typeof Client>).Stream(md);
    this.call.on('data', (m: ControlPlaneMessage) => {
      this.pushes.push(m.push);
      this.wake();
    });
    this.call.on('error', () => undefined);
    this.call.on('status', (s: grpc.StatusObject) => {
      this.status = s;
      this.wake();
    });
  }

  send(msg: Partial<Record<'hello' | 'ack' | 'nack' | 'resync' | 'telemetry', unknown>>): void {
    this.call.write(msg as unknown as DataPlaneMessage);
  }

  /** `acceptPacked` as a node built with packed pushes says it; [] as an older node. */
  hello(id: string, version = 0, hash = '', acceptPacked: string[] = []): void {
    this.send({ hello: { node: { id, hostname: `${id}.local`, software_version: '0.1.0-test', labels: { zone: 'a' } }, version, hash, accept_packed: acceptPacked } });
  }

  ack(p: ConfigPush): void {
    this.send({ ack: { version: p.version, nonce: p.nonce } });
  }

  nack(p: ConfigPush, error: string, servingVersion: number): void {
    this.send({ nack: { version: p.version, nonce: p.nonce, error, serving_version: servingVersion } });
  }

  /** A health report (the whole view), or a heartbeat when `upstreams` is null. */
  health(upstreams: WireUpstreamHealth[] | null): void {
    this.send({ telemetry: { at_ms: Date.now(), health: upstreams === null ? null : { upstreams } } });
  }

  /** Resolves with push number `n` (0-based) once it has arrived. */
  async push(n: number, timeoutMs = 3000): Promise<ConfigPush> {
    await this.until(() => this.pushes.length > n, timeoutMs, `push #${n}`);
    return this.pushes[n]!;
  }

  async ended(timeoutMs = 3000): Promise<grpc.StatusObject> {
    await this.until(() => this.status !== null, timeoutMs, 'stream status');
    return this.status!;
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** Polls `cond` until true (view state changes after a message crosses the wire). */
export async function eventually(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
