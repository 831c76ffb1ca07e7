// Map and Set that refuse changes once built: Object.freeze does not stop
// Map#set, and a CompiledConfig is shared by every in-flight request.

const sealed = new WeakSet<object>();
const refuse = (): never => {
  throw new TypeError('compiled config is immutable');
};

export class FrozenMap<K, V> extends Map<K, V> {
  constructor(entries: Iterable<readonly [K, V]>) {
    super(entries);
    sealed.add(this);
    Object.freeze(this);
  }
  override set(key: K, value: V): this {
    if (sealed.has(this)) refuse();
    return super.set(key, value);
  }
  override delete(): boolean {
    return refuse();
  }
  override clear(): void {
    refuse();
  }
}

export class FrozenSet<T> extends Set<T> {
  constructor(values: Iterable<T>) {
    super(values);
    sealed.add(this);
    Object.freeze(this);
  }
  override add(value: T): this {
    if (sealed.has(this)) refuse();
    return super.add(value);
  }
  override delete(): boolean {
    return refuse();
  }
  override clear(): void {
    refuse();
  }
}
