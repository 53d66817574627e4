import {
  MemoryWriteStore,
  type PendingWrite,
  type SendOutcome,
  type WriteCall,
  WriteQueue,
} from './write-queue';

const count = (sku: string, counted: number): WriteCall => ({
  kind: 'count',
  body: { warehouseId: 'w1', lines: [{ sku, counted }] },
});

/** A server the test controls: it records every attempt and answers what `answer` says. */
function fakeNetwork() {
  const attempts: { key: string; sku: string }[] = [];
  const network = {
    attempts,
    reachable: true,
    refuse: new Set<string>(),
    send: async (write: PendingWrite): Promise<SendOutcome> => {
      const sku = write.call.kind === 'count' ? (write.call.body.lines[0]?.sku ?? '') : '';
      attempts.push({ key: write.key, sku });
      if (!network.reachable) return { kind: 'unreachable', reason: new TypeError('Failed to fetch') };
      if (network.refuse.has(sku)) return { kind: 'refused', reason: new Error('422') };
      return { kind: 'sent', answer: { sku } };
    },
  };
  return network;
}

describe('WriteQueue', () => {
  it('keeps writes made offline, in order, and sends each once with the key it was stored with', async () => {
    const store = new MemoryWriteStore();
    const network = fakeNetwork();
    const waiting: number[] = [];
    let n = 0;
    const queue = new WriteQueue(
      store,
      network.send,
      (c) => waiting.push(c),
      () => `key-${++n}`,
    );
    network.reachable = false;
    await queue.add(count('A', 1), 'A');
    await queue.add(count('B', 2), 'B');
    await queue.add(count('C', 3), 'C');
    const offline = await queue.flush();
    // Only the first is tried: the others wait behind it so they cannot overtake it.
    expect(offline.map((d) => d.outcome.kind)).toEqual(['unreachable']);
    expect((await queue.pending()).map((w) => w.summary)).toEqual(['A', 'B', 'C']);
    expect(waiting.at(-1)).toBe(3);

    network.reachable = true;
    const online = await queue.flush();
    expect(online.map((d) => [d.write.summary, d.outcome.kind])).toEqual([
      ['A', 'sent'],
      ['B', 'sent'],
      ['C', 'sent'],
    ]);
    // The retried write kept its Idempotency-Key: the API sees the same request twice, not two requests.
    expect(network.attempts.map((a) => a.key)).toEqual(['key-1', 'key-1', 'key-2', 'key-3']);
    expect(await queue.pending()).toEqual([]);
    expect(waiting.at(-1)).toBe(0);
    await queue.flush();
    expect(network.attempts).toHaveLength(4);
  });

  it('survives a reload: a new queue over the same store sends what the old one kept', async () => {
    const store = new MemoryWriteStore();
    const network = fakeNetwork();
    network.reachable = false;
    await new WriteQueue(store, network.send).add(count('A', 5), 'A');
    network.reachable = true;
    const later = new WriteQueue(store, network.send);
    expect((await later.flush()).map((d) => d.outcome.kind)).toEqual(['sent']);
    expect(await later.pending()).toEqual([]);
  });

  it('drops a write the API refused and goes on with the next', async () => {
    const network = fakeNetwork();
    network.refuse.add('BAD');
    const queue = new WriteQueue(new MemoryWriteStore(), network.send);
    await queue.add(count('BAD', 1), 'bad');
    await queue.add(count('OK', 1), 'ok');
    const deliveries = await queue.flush();
    expect(deliveries.map((d) => [d.write.summary, d.outcome.kind])).toEqual([
      ['bad', 'refused'],
      ['ok', 'sent'],
    ]);
    expect(await queue.pending()).toEqual([]);
  });

  it('runs one flush at a time: flushing twice at once sends nothing twice', async () => {
    const network = fakeNetwork();
    const queue = new WriteQueue(new MemoryWriteStore(), network.send);
    await queue.add(count('A', 1), 'A');
    await queue.add(count('B', 1), 'B');
    await Promise.all([queue.flush(), queue.flush(), queue.flush()]);
    await queue.flush();
    expect(network.attempts.map((a) => a.sku)).toEqual(['A', 'B']);
  });

  it('numbers writes after the last one waiting, so order holds across reloads', async () => {
    const store = new MemoryWriteStore();
    const network = fakeNetwork();
    network.reachable = false;
    await new WriteQueue(store, network.send).add(count('A', 1), 'A');
    const second = await new WriteQueue(store, network.send).add(count('B', 1), 'B');
    expect(second.seq).toBe(2);
  });
});
