// shared/lru — a bounded least-recently-used map (a Map keeps insertion order; a hit moves the
// entry to the end). The proxy caches ownership verdicts, turn counts and clients in it, and a
// client its watermarks: none of them may grow without bound on a long-lived server.
// A leaf: imports nothing.

/** A Map of at most `max` entries; past that, the least recently used one is dropped. */
export class Lru<K, V> {
  readonly #map = new Map<K, V>();
  constructor(readonly max: number) {}

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as K);
  }

  delete(key: K): void {
    this.#map.delete(key);
  }

  get size(): number {
    return this.#map.size;
  }
}
