/**
 * A Map that holds at most `maxEntries`: a new key past the bound empties it first, so what a
 * flood of distinct keys costs is bounded and what is asked often is soon back. For memories of
 * answers that are cheap to recompute (a cache, never a record).
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly maxEntries: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.maxEntries && !this.has(key)) this.clear();
    return super.set(key, value);
  }
}
