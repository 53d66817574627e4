/**
 * The scanner's pending writes in IndexedDB: they outlive a reload, a closed tab and a phone
 * that was offline all shift. One object store keyed by the Idempotency-Key.
 */
import type { PendingWrite, WriteStore } from './write-queue';

const DATABASE = 'varastokkr-scanner';
const STORE = 'pending-writes';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function open(): Promise<IDBDatabase> {
  const req = indexedDB.open(DATABASE, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
  return request(req);
}

export class IdbWriteStore implements WriteStore {
  private db: Promise<IDBDatabase> | undefined;

  private async run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    this.db ??= open();
    const tx = (await this.db).transaction(STORE, mode);
    const result = request(work(tx.objectStore(STORE)));
    // Resolved only once committed: a write reported as stored survives a crash right after.
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return result;
  }

  all(): Promise<PendingWrite[]> {
    return this.run('readonly', (s) => s.getAll() as IDBRequest<PendingWrite[]>);
  }

  async put(write: PendingWrite): Promise<void> {
    await this.run('readwrite', (s) => s.put(write));
  }

  async delete(key: string): Promise<void> {
    await this.run('readwrite', (s) => s.delete(key));
  }
}

/** IndexedDB where the browser has it, else memory (the queue still orders and retries). */
export function pendingWriteStore(memory: () => WriteStore): WriteStore {
  return typeof indexedDB === 'undefined' ? memory() : new IdbWriteStore();
}
