/**
 * A per-request batcher in the manner of DataLoader: every key asked for before the next macrotask
 * goes to `load` in one call, and each key is loaded once per request. GraphQL resolves the items
 * of a list (100 products, each asking for its availability) in one pass, and sibling objects
 * reached through separate awaits a few microtasks apart: a timer of 0 waits for all of them, where
 * a microtask would cut the batch at the first await.
 */
export class BatchLoader<K, V> {
  private readonly known = new Map<K, Promise<V | undefined>>();
  private waiting: { key: K; settle: (v: V | undefined) => void; fail: (e: unknown) => void }[] = [];

  /** `load` answers for many keys at once; a key missing from its map loads as undefined. */
  constructor(private readonly load: (keys: K[]) => Promise<Map<K, V>>) {}

  get(key: K): Promise<V | undefined> {
    let answer = this.known.get(key);
    if (!answer) {
      answer = new Promise((settle, fail) => {
        if (this.waiting.length === 0) setTimeout(() => this.dispatch(), 0);
        this.waiting.push({ key, settle, fail });
      });
      this.known.set(key, answer);
    }
    return answer;
  }

  private dispatch(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.load(batch.map((w) => w.key)).then(
      (found) => {
        for (const w of batch) w.settle(found.get(w.key));
      },
      (err: unknown) => {
        for (const w of batch) w.fail(err);
      },
    );
  }
}
