// One name → its addresses and how long they may be kept. A records first,
// AAAA only when there are none (Kong's default order leaves AAAA out; a
// dual-stack name would otherwise double its share and add addresses the
// host may have no route to). Names DNS does not know — `localhost`, entries
// of /etc/hosts — fall back to the system resolver (getaddrinfo), which gives
// no TTL.
import { promises as dns } from 'node:dns';

export interface Resolution {
  /** IP literals, sorted, no duplicates. */
  readonly addresses: readonly string[];
  /** The records' TTL in ms; null when the answer carries none (system resolver). */
  readonly ttlMs: number | null;
}

/** Resolves a host name; rejects with an Error whose `code` is node's (`ENOTFOUND`, `ETIMEOUT` …). */
export type ResolveFn = (host: string) => Promise<Resolution>;

/** Codes that say the name has no address (as opposed to the resolver failing to answer). */
export const NAME_ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

export const errorCode = (err: unknown): string => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
};

const fromRecords = (records: readonly { address: string; ttl: number }[]): Resolution => ({
  addresses: [...new Set(records.map((r) => r.address))].sort(),
  ttlMs: Math.min(...records.map((r) => r.ttl)) * 1000,
});

async function records(family: 4 | 6, host: string): Promise<Resolution | null> {
  try {
    const r = family === 4 ? await dns.resolve4(host, { ttl: true }) : await dns.resolve6(host, { ttl: true });
    return r.length > 0 ? fromRecords(r) : null;
  } catch {
    return null;
  }
}

export const resolveName: ResolveFn = async (host) => {
  const found = (await records(4, host)) ?? (await records(6, host));
  if (found !== null) return found;
  const all = await dns.lookup(host, { all: true, verbatim: true });
  if (all.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENODATA' });
  const v4 = all.filter((a) => a.family === 4);
  return { addresses: [...new Set((v4.length > 0 ? v4 : all).map((a) => a.address))].sort(), ttlMs: null };
};
