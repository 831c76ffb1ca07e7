// S1's run order within a round.
import type { ProxyKind } from './proxies.js';

/**
 * The proxies in the order round `i` runs them: as declared, except that
 * Portico runs right after the floor in odd rounds and right before it in
 * even ones. The host's speed here swings 2× within seconds (one process,
 * 1 s runs back to back: 8,000–21,000 req/s), so the pair the issue's
 * targets compare is measured as close together as the bench allows, and
 * neither always goes first.
 */
export function roundOrder<P extends { def: { kind: ProxyKind } }>(running: readonly P[], i: number): P[] {
  const floor = running.find((p) => p.def.kind === 'floor');
  const portico = running.find((p) => p.def.kind === 'portico');
  if (floor === undefined || portico === undefined) return [...running];
  const out: P[] = [];
  for (const p of running) {
    if (p === portico) continue;
    if (p === floor) out.push(...(i % 2 === 1 ? [floor, portico] : [portico, floor]));
    else out.push(p);
  }
  return out;
}
