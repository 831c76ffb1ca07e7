import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import type { CompiledConfig } from '../compile/types.js';
import { startStatusServer, type WorkerStatus } from './status-server.js';

function get(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request({ port, host: '127.0.0.1', path: '/status' }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    })
      .on('error', reject)
      .end();
  });
}

const worker = (over: Partial<WorkerStatus>): WorkerStatus => ({ id: 1, pid: 11, state: 'listening', config_version: 3, config_hash: 'h', in_flight_requests: 2, requests: 5, restarts: 0, ...over });

describe('status with workers', () => {
  it('is 200 only when every listening worker has a config; a starting worker does not count', async () => {
    const cfg = { version: 3, hash: 'h', routes: new Map(), services: new Map() } as unknown as CompiledConfig;
    let list: WorkerStatus[] = [worker({ id: 1 }), worker({ id: 2, pid: 12, config_version: null })];
    const s = await startStatusServer('127.0.0.1', 0, {
      nodeId: 'n',
      softwareVersion: 'v',
      config: { current: cfg },
      cluster: () => ({ connected: true, version: 3, hash: 'h', lastError: null, source: 'control-plane' }),
      inFlight: () => 0,
      workers: () => Promise.resolve({ configured: 2, list }),
    });
    try {
      let r = await get(s.port);
      assert.equal(r.status, 503, 'a listening worker without config');
      list = [worker({ id: 1 }), worker({ id: 2, pid: 12, state: 'starting', config_version: null })];
      r = await get(s.port);
      assert.equal(r.status, 200);
      assert.equal(r.body['in_flight_requests'], 4);
      assert.deepEqual((r.body['workers'] as { count: number; listening: number }).count, 2);
      list = [];
      assert.equal((await get(s.port)).status, 503, 'no worker serving');
    } finally {
      await s.close();
    }
  });
});

describe('GET /metrics', () => {
  it("serves the node's scrape in Prometheus text format", async () => {
    const s = await startStatusServer('127.0.0.1', 0, {
      nodeId: 'n',
      softwareVersion: 'v',
      config: { current: null },
      cluster: () => ({ connected: false, version: 0, hash: '', lastError: null, source: 'none' }),
      inFlight: () => 0,
      metrics: () => Promise.resolve('# HELP kong_x x\n# TYPE kong_x counter\nkong_x 1\n'),
    });
    try {
      const r = await new Promise<{ status: number; type: string | undefined; text: string }>((resolve, reject) => {
        request({ port: s.port, host: '127.0.0.1', path: '/metrics' }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], text }));
        })
          .on('error', reject)
          .end();
      });
      assert.equal(r.status, 200);
      assert.equal(r.type, 'text/plain; version=0.0.4; charset=utf-8');
      assert.equal(r.text, '# HELP kong_x x\n# TYPE kong_x counter\nkong_x 1\n');
    } finally {
      await s.close();
    }
  });
});
