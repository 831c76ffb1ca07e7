// What plugins changed about the upstream request, applied to the header list
// the proxy prepared: only requests on routes with plugins come here.
import type { PluginContext } from '../plugins/context.js';

export /**
 * Applies plugins' upstream header edits (kong.service.request.set_header /
 * clear_header) to the prepared list; with a buffered body, frames it anew.
 */
function applyHeaderEdits(list: string[], pctx: PluginContext, body: Buffer | null): string[] {
  const set = pctx.upstreamHeaders;
  const removed = pctx.upstreamRemoved;
  const out: string[] = [];
  for (let i = 0; i < list.length; i += 2) {
    const lower = (list[i] as string).toLowerCase();
    if (set?.has(lower) || removed?.has(lower)) continue;
    if (body !== null && (lower === 'content-length' || lower === 'transfer-encoding')) continue;
    out.push(list[i] as string, list[i + 1] as string);
  }
  if (set !== null) for (const [name, value] of set) out.push(name, value);
  if (body !== null && body.length > 0) out.push('content-length', String(body.length));
  return out;
}
