// Step 1 of compile: a snapshot's resources bucketed by type and id, each
// body parsed and schema-checked — or, when its text is unchanged since the
// previous compile, the previous parse kept. This loop runs once per
// resource, so it lives in its own small function that V8 optimizes early,
// and it finds previous entries by walking the previous buckets in order.
// When the change from the previous snapshot is known (a delta push),
// bucketDelta does the same from the change alone, its buckets layered over
// the previous ones (LayeredMap) so a change costs what it touches.
import { isResourceType, RESOURCE_TYPES, type DeltaHint, type Resource, type ResourceType } from '@portico/shared';
import { LayeredMap } from '../collections/layered-map.js';
import { invalid, parseEntity, singular } from './invalid.js';
import { SLICE_ITEMS, type Steps } from '../slices.js';

export interface Parsed {
  readonly body: string;
  readonly entity: { id: string };
}

export type Buckets = ReadonlyMap<ResourceType, ReadonlyMap<string, Parsed>>;

/** A bucket compile may still write (compileRoutes does): a Map, or a layer over the previous config's bucket. */
export interface Bucket<V = Parsed> extends ReadonlyMap<string, V> {
  set(id: string, value: V): unknown;
  delete(id: string): boolean;
}

export interface Bucketed {
  readonly parsed: Map<ResourceType, Bucket>;
  /** Types with a resource added, removed or changed since `previous`. */
  readonly changed: ReadonlySet<ResourceType>;
}

/** bucketResources, pausing every SLICE_ITEMS resources (slices.ts). */
export function* bucketResources(resources: Iterable<Resource>, previous: Buckets | undefined): Steps<Bucketed> {
  const buckets = new Map<ResourceType, Map<string, Parsed>>(RESOURCE_TYPES.map((t) => [t, new Map()]));
  const parsed: Map<ResourceType, Bucket> = buckets;
  const changed = new Set<ResourceType>();
  // Snapshots list resources mostly type by type: the per-type state is looked up once per run.
  let type: string | undefined;
  let bucket: Map<string, Parsed> | undefined;
  let walk: InOrder | undefined;
  const walks = new Map<string, InOrder>();
  let n = 0;
  for (const r of resources) {
    if (++n === SLICE_ITEMS) {
      n = 0;
      yield;
    }
    if (r.type !== type) {
      if (!isResourceType(r.type)) invalid(`resource '${String(r.type)}/${r.id}': unknown resource type`);
      type = r.type;
      bucket = buckets.get(r.type)!;
      const prevBucket = previous?.get(r.type);
      walk = walks.get(type);
      if (walk === undefined && prevBucket !== undefined) walks.set(type, (walk = new InOrder(prevBucket)));
    }
    const old = walk?.get(r.id);
    const size = bucket!.size;
    if (old !== undefined && old.body === r.body) {
      // (a set that does not grow the map found the id already there)
      if (bucket!.set(r.id, old).size === size) listedTwice(r);
    } else {
      if (bucket!.has(r.id)) listedTwice(r);
      bucket!.set(r.id, { body: r.body, entity: parseEntity(r.type, r.id, r.body) });
      changed.add(r.type);
    }
  }
  if (previous !== undefined) for (const t of RESOURCE_TYPES) if (previous.get(t)!.size !== parsed.get(t)!.size) changed.add(t);
  return { parsed, changed };
}

/**
 * The buckets of `previous` with `delta` applied: what bucketResources makes
 * of the whole snapshot the delta produces, entries in the same order (edits
 * in place, additions at the end), at the cost of the change. Buckets of
 * types the delta leaves alone are shared with `previous`; the others are
 * layers over previous's, and so is routes always: compileRoutes writes
 * compiled routes into that bucket, and the previous config's must stay as
 * it was.
 */
export function* bucketDelta(previous: Buckets, delta: Pick<DeltaHint, 'updated' | 'removed'>): Steps<Bucketed> {
  const parsed = new Map(previous) as Map<ResourceType, Bucket>;
  const changed = new Set<ResourceType>();
  const own = (t: ResourceType): Bucket => {
    if (!changed.has(t)) {
      changed.add(t);
      parsed.set(t, layerOver(previous.get(t)!));
    }
    return parsed.get(t)!;
  };
  let n = 0;
  for (const r of delta.updated) {
    // A delta can be a whole table's worth (every route edited): it pauses like a full snapshot.
    if (++n === SLICE_ITEMS) {
      n = 0;
      yield;
    }
    if (!isResourceType(r.type)) invalid(`resource '${String(r.type)}/${r.id}': unknown resource type`);
    // (against what this delta made so far: a resource listed twice ends as its last listing, as in the node's set)
    if (parsed.get(r.type)!.get(r.id)?.body === r.body) continue;
    own(r.type).set(r.id, { body: r.body, entity: parseEntity(r.type, r.id, r.body) });
  }
  for (const ref of delta.removed) {
    // Gone already (created and removed while we were not looking), or never ours.
    if (!isResourceType(ref.type) || !parsed.get(ref.type)!.has(ref.id)) continue;
    own(ref.type).delete(ref.id);
  }
  if (!changed.has('routes')) parsed.set('routes', layerOver(previous.get('routes')!));
  return { parsed, changed };
}

/** A writable layer over a previous config's bucket, which is never written again (a config is immutable once built). */
function layerOver<V>(bucket: ReadonlyMap<string, V>): LayeredMap<string, V> {
  return bucket instanceof LayeredMap ? (bucket as LayeredMap<string, V>).fork() : LayeredMap.over(bucket as Map<string, V>);
}

const listedTwice = (r: Resource): never => invalid(`${singular(r.type as ResourceType)} '${r.id}': listed twice in the snapshot`);

/**
 * Finds a previous bucket's entries by walking it in order: snapshots keep
 * their order between pushes (edits in place, additions at the end), so the
 * next resource is usually at the walk's position and needs no lookup.
 * Anything else falls back to a lookup, and the caller compares bodies, so
 * order only ever changes the cost.
 */
class InOrder {
  readonly #bucket: ReadonlyMap<string, Parsed>;
  readonly #keys: Iterator<string>;
  readonly #values: Iterator<Parsed>;
  #done = false;
  #key = '';
  #value: Parsed | null = null;

  constructor(bucket: ReadonlyMap<string, Parsed>) {
    this.#bucket = bucket;
    this.#keys = bucket.keys();
    this.#values = bucket.values();
    this.#advance();
  }

  get(id: string): Parsed | undefined {
    if (!this.#done && this.#key === id) {
      const found = this.#value!;
      this.#advance();
      return found;
    }
    const found = this.#bucket.get(id);
    // Present but not here: entries were deleted before it. Skip a few to catch up.
    if (found !== undefined) for (let i = 0; i < 4 && !this.#done; i++) if (this.#advance() === id) break;
    return found;
  }

  /** Moves to the next entry; returns the key moved past. */
  #advance(): string {
    const passed = this.#key;
    const k = this.#keys.next();
    const v = this.#values.next();
    this.#done = k.done === true;
    this.#key = k.done === true ? '' : k.value;
    this.#value = v.done === true ? null : v.value;
    return passed;
  }
}
