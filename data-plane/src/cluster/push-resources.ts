// The resources a push (or the disk cache) carries, checked on the way in.
// A packed push is inflated in the thread pool and decoded lazily, straight
// into the ConfigSet being built: no message objects, no intermediate array.
// Anything malformed — an unknown type, a corrupt payload, a count or size
// that does not match — throws PUSH_INVALID, which the client NACKs.
import { PorticoError, isResourceType, type Resource } from '@portico/shared';
import { unpackResources, type ConfigPush, type ListedResource } from '@portico/proto';
import { ClusterClientErrors } from './errors.js';

/**
 * The most a packed payload may inflate to. Its stated size is checked against
 * this before anything is inflated, and the inflation stops at the stated size.
 */
export const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;

export async function pushResources(push: ConfigPush): Promise<Iterable<Resource>> {
  if (!push.packed) return checked(push.resources);
  try {
    return checked(await unpackResources(push.packed, MAX_UNPACKED_BYTES));
  } catch (err) {
    throw invalid(err);
  }
}

/** The same objects, once their type is known to be one of ours; decode errors become PUSH_INVALID. */
export function* checked(list: Iterable<ListedResource>): Generator<Resource> {
  try {
    for (const r of list) {
      if (!isResourceType(r.type)) throw new PorticoError(ClusterClientErrors.PUSH_INVALID, `unknown resource type '${r.type}'`);
      yield r as Resource;
    }
  } catch (err) {
    throw invalid(err);
  }
}

function invalid(err: unknown): PorticoError {
  if (err instanceof PorticoError) return err;
  return new PorticoError(ClusterClientErrors.PUSH_INVALID, err instanceof Error ? err.message : String(err), undefined, { cause: err });
}
