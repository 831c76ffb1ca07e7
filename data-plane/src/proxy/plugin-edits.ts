// What plugins changed about the upstream request, applied to the header list
// the proxy prepared: only requests on routes with plugins come here.
import type { PluginContext } from '../plugins/context.js';

/** True when the edit at `i` is the last one of its name (the one that counts). */
function lastOfName(edits: readonly (string | null)[], i: number): boolean {
  for (let j = i + 2; j < edits.length; j += 2) if (edits[j] === edits[i]) return false;
  return true;
}

/** True when `lower` is one of the edited names (edits are few: a scan beats a Set built per request). */
function edited(edits: readonly (string | null)[], lower: string): boolean {
  for (let j = 0; j < edits.length; j += 2) if (edits[j] === lower) return true;
  return false;
}

/**
 * Applies plugins' upstream header edits (kong.service.request.set_header /
 * clear_header) to the prepared list; with a buffered body, frames it anew.
 */
export function applyHeaderEdits(list: string[], pctx: PluginContext, body: Buffer | null): string[] {
  const edits = pctx.upstreamEdits;
  const out: string[] = [];
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i] as string;
    const lower = name.toLowerCase();
    if (edits !== null && edited(edits, lower)) continue;
    if (body !== null && (lower === 'content-length' || lower === 'transfer-encoding')) continue;
    out.push(name, list[i + 1] as string);
  }
  if (edits !== null) {
    for (let i = 0; i < edits.length; i += 2) {
      const value = edits[i + 1];
      if (value != null && lastOfName(edits, i)) out.push(edits[i] as string, value);
    }
  }
  if (body !== null && body.length > 0) out.push('content-length', String(body.length));
  return out;
}
