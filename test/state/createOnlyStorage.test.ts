import type { Storage, StoreItems } from 'botbuilder';
import {
  CreateOnlyStorage,
  FirstWriteWinsStorage,
  type ItemCreator,
} from '../../src/state/createOnlyStorage';
import { CREATE_ONLY_ETAG, eTagConflict } from '../../src/state/createOnly';

/**
 * A store with If-Match semantics, as Blob and Cosmos DB have: a write with an eTag needs an item
 * with that eTag; '*' or none overwrites. Its atomic create (Put Blob with If-None-Match: *, Cosmos
 * DB's Create Document) creates an item only where there is none, in one step.
 */
class IfMatchStore implements Storage, ItemCreator {
  readonly items = new Map<string, Record<string, unknown>>();
  reads = 0;
  private next = 0;

  async read(keys: string[]): Promise<StoreItems> {
    this.reads++;
    const out: StoreItems = {};
    for (const k of keys) if (this.items.has(k)) out[k] = { ...this.items.get(k) };
    return out;
  }

  async createIfAbsent(key: string, item: Record<string, unknown>): Promise<void> {
    if (this.items.has(key)) throw eTagConflict(key);
    this.items.set(key, { ...item, eTag: String(++this.next) });
  }

  async write(changes: StoreItems): Promise<void> {
    for (const [k, item] of Object.entries(changes)) {
      const eTag = (item as { eTag?: string }).eTag;
      if (eTag && eTag !== '*' && this.items.get(k)?.eTag !== eTag)
        throw new Error(`Storage: error writing "${k}" due to eTag conflict.`);
      this.items.set(k, { ...item, eTag: String(++this.next) });
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (const k of keys) this.items.delete(k);
  }
}

it('creates a create-only item that an If-Match store would refuse, once', async () => {
  const inner = new IfMatchStore();
  await expect(inner.write({ a: { v: 1, eTag: CREATE_ONLY_ETAG } })).rejects.toThrow(/etag/i);
  const store = new CreateOnlyStorage(inner, inner);
  await store.write({ a: { v: 1, eTag: CREATE_ONLY_ETAG } });
  expect((await store.read(['a'])).a).toMatchObject({ v: 1 });
  await expect(store.write({ a: { v: 2, eTag: CREATE_ONLY_ETAG } })).rejects.toThrow(/etag/i);
  expect((await store.read(['a'])).a).toMatchObject({ v: 1 });
});

it("creates with the store's atomic create, without reading first: of many racing, one wins", async () => {
  const inner = new IfMatchStore();
  // Independent instances sharing one store, all writing the same create-only key at once.
  const results = await Promise.allSettled(
    Array.from({ length: 8 }, (_, i) =>
      new CreateOnlyStorage(inner, inner).write({ lock: { holder: i, eTag: CREATE_ONLY_ETAG } }),
    ),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/etag/i);
  expect(inner.reads).toBe(0);
  expect(inner.items.get('lock')).not.toHaveProperty('eTag', CREATE_ONLY_ETAG);
});

it('passes real eTags through, so stale writes still fail', async () => {
  const inner = new IfMatchStore();
  const store = new CreateOnlyStorage(inner, inner);
  await store.write({ a: { v: 1 } });
  const first = (await store.read(['a'])).a;
  await store.write({ a: { ...first, v: 2 } });
  await expect(store.write({ a: { ...first, v: 3 } })).rejects.toThrow(/etag/i);
  await store.delete(['a']);
  expect(await store.read(['a'])).toEqual({});
});

it('lets the first token-exchange dedupe write win and the repeats conflict, on an If-Match store', async () => {
  // What TeamsSSOTokenExchangeMiddleware writes: an item whose eTag is the exchange id.
  const item = () => ({ 'msteams/a:1/exchange-1': { eTag: 'exchange-1' } });
  const inner = new IfMatchStore();
  // Straight to an If-Match store, even the first write fails: every exchange would be dropped.
  await expect(new CreateOnlyStorage(inner, inner).write(item())).rejects.toThrow(/etag/i);
  const store = new FirstWriteWinsStorage(new CreateOnlyStorage(inner, inner));
  await store.write(item());
  await expect(store.write(item())).rejects.toThrow(/etag conflict/i);
  await expect(store.write({ other: { eTag: '*', v: 1 } })).resolves.toBeUndefined();
});
