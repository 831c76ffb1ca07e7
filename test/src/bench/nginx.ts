// nginx twice: as the upstream every proxy forwards to (fixed bodies, no disk,
// no logs) and as the reverse-proxy reference (one worker, upstream keepalive).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { onCleanup } from './cleanup.js';
import { join } from 'node:path';
import { tempDir } from '../lib/processes.js';
import { freePort, spawnPinned, waitHealthy, type Peer } from './peer-process.js';
import type { CpuPlan } from './system.js';

export const BODY_100 = 'x'.repeat(99) + '\n';
export const BODY_4K = 'y'.repeat(4095) + '\n';

function common(dir: string): string {
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d), { recursive: true });
  return `
worker_processes 1;
daemon off;
${process.getuid?.() === 0 ? 'user root;' : ''}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
`;
}

function httpCommon(dir: string): string {
  return `
  access_log off;
  keepalive_timeout 75s;
  keepalive_requests 10000000;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type text/plain;
`;
}

async function startNginx(plan: CpuPlan, cpu: string, label: string, conf: (dir: string, port: number) => string): Promise<Peer> {
  const dir = tempDir('portico-bench-nginx-');
  onCleanup(`${label} dir`, () => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), conf(dir, port));
  const p = spawnPinned(plan, cpu, label, 'nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')]);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/100b`, label, p.output, p.child);
  return { label, pid: p.child.pid!, url, stop: p.stop };
}

/** Static files, served from memory-cached descriptors (nginx's `return` cannot hold 4 KiB). */
function www(dir: string): string {
  const d = join(dir, 'www');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, '100b'), BODY_100);
  writeFileSync(join(d, '4k'), BODY_4K);
  return d;
}

/** The upstream: `/4k…` answers 4 KiB, every other path (`/100b`, route-mix paths) 100 bytes. */
export function startNginxUpstream(plan: CpuPlan): Promise<Peer> {
  return startNginx(plan, plan.loadCpu, 'nginx-upstream', (dir, port) => `${common(dir)}
http {${httpCommon(dir)}
  server {
    listen 127.0.0.1:${port} backlog=4096;
    root ${www(dir)};
    open_file_cache max=16 inactive=1h;
    open_file_cache_valid 1h;
    etag off;
    location /4k { try_files /4k =404; }
    location / { try_files /100b =404; }
  }
}
`);
}

/** nginx as a reverse proxy, configured the way its docs recommend for keep-alive upstreams. */
export function startNginxProxy(plan: CpuPlan, upstream: string): Promise<Peer> {
  const target = upstream.replace(/^http:\/\//, '');
  return startNginx(plan, plan.proxyCpu, 'nginx-proxy', (dir, port) => `${common(dir)}
http {${httpCommon(dir)}
  upstream backend { server ${target}; keepalive 64; }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`);
}
