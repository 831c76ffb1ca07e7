// Compile time of a 10,000-route snapshot, full and incremental (a plain
// script, not a test):  node data-plane/dist/compile/compile-bench.js
import type { Resource } from '@portico/shared';
import { compile } from './compile.js';

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const services: Resource[] = Array.from({ length: 100 }, (_, i) => ({
  type: 'services', id: uuid(i), body: JSON.stringify({
    id: uuid(i), created_at: 1, updated_at: 1, name: `svc${i}`, enabled: true, retries: 5, protocol: 'http', host: `b${i}.internal`,
    port: 80, path: null, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, tags: null,
    client_certificate: null, tls_verify: null, tls_verify_depth: null, ca_certificates: null,
  }),
}));
const route = (i: number, tag = ''): Resource => {
  const id = uuid(1_000_000 + i);
  return {
    type: 'routes', id, body: JSON.stringify({
      id, created_at: i, updated_at: 1, name: `r${i}${tag}`, protocols: ['http', 'https'], methods: null,
      hosts: i % 2 ? [`svc${i % 100}.example.com`] : null, paths: [i % 10 === 0 ? `~/api/r${i}/\\d+` : `/api/r${i}`],
      headers: null, https_redirect_status_code: 426, regex_priority: 0, strip_path: true, path_handling: 'v0',
      preserve_host: false, request_buffering: true, response_buffering: true, snis: null, sources: null, destinations: null,
      tags: null, service: { id: uuid(i % 100) },
    }),
  };
};
const routes = Array.from({ length: 10_000 }, (_, i) => route(i));

let t = performance.now();
const full = compile({ version: 1, hash: 'a', resources: [...services, ...routes] });
console.log(`full compile, 10,000 routes: ${(performance.now() - t).toFixed(0)} ms`);
t = performance.now();
compile({ version: 1, hash: 'a', resources: [...services, ...routes] });
console.log(`full compile again (warm):   ${(performance.now() - t).toFixed(0)} ms`);
const changed = routes.map((r, i) => (i < 10 ? route(i, '-changed') : r));
t = performance.now();
compile({ version: 2, hash: 'b', resources: [...services, ...changed] }, full);
console.log(`incremental, 10 routes changed: ${(performance.now() - t).toFixed(0)} ms`);
