// A read-only Map over another map's values, projected. compile() hands out
// `config.routes` this way instead of copying 10,000 entries into a new
// FrozenMap on every config change. It is as immutable as a FrozenMap: the
// view is frozen and has no mutators, and compile never changes the map
// under it once the config is built.

export class MapView<K, R, V> implements ReadonlyMap<K, V> {
  readonly #source: ReadonlyMap<K, R>;
  readonly #project: (record: R) => V;

  constructor(source: ReadonlyMap<K, R>, project: (record: R) => V) {
    this.#source = source;
    this.#project = project;
    Object.freeze(this);
  }

  get size(): number {
    return this.#source.size;
  }

  get(key: K): V | undefined {
    const r = this.#source.get(key);
    return r === undefined ? undefined : this.#project(r);
  }

  has(key: K): boolean {
    return this.#source.has(key);
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, r] of this.#source) callback.call(thisArg, this.#project(r), k, this);
  }

  *entries(): MapIterator<[K, V]> {
    for (const [k, r] of this.#source) yield [k, this.#project(r)];
  }

  keys(): MapIterator<K> {
    return this.#source.keys();
  }

  *values(): MapIterator<V> {
    for (const r of this.#source.values()) yield this.#project(r);
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
