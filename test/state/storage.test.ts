import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStorage, type Storage } from 'botbuilder';
import { BlobStateStorage } from '../../src/state/cloudStorage';
import { FirstWriteWinsStorage } from '../../src/state/createOnlyStorage';
import { CREATE_ONLY_ETAG } from '../../src/state/createOnly';
import { EmbeddedStorage } from '../../src/state/embeddedStorage';
import { startAzurite, type Azurite } from '../helpers/azurite';

/**
 * The storage contract tenantlink relies on (botbuilder's eTag semantics), run against every
 * store: botbuilder's MemoryStorage as the reference, the embedded on-disk store (the default),
 * and Azure Blob Storage on Azurite (the production option).
 */

jest.setTimeout(60_000);

let azurite: Azurite;
let containers = 0;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => azurite?.stop());

interface Subject {
  storage: Storage;
  reopen?: () => Promise<Storage>;
  close: () => Promise<void>;
}

const stores: [string, () => Promise<Subject>][] = [
  ['MemoryStorage', async () => ({ storage: new MemoryStorage(), close: async () => undefined })],
  [
    'EmbeddedStorage',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tenantlink-store-'));
      let current = await EmbeddedStorage.open(dir);
      return {
        storage: current,
        reopen: async () => {
          await current.close();
          current = await EmbeddedStorage.open(dir);
          return current;
        },
        close: async () => {
          await current.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'BlobStateStorage on Azurite',
    async () => ({
      storage: new BlobStateStorage(azurite.connectionString, `tenantlink-test-${++containers}`),
      close: async () => undefined,
    }),
  ],
];

describe.each(stores)('%s', (_name, make) => {
  let s: Subject;
  beforeEach(async () => {
    s = await make();
  });
  afterEach(async () => s.close());

  it('round-trips an item, including keys a document store refuses, and gives it an eTag', async () => {
    const card = { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', 'a.b': 1 };
    await s.storage.write({ k: { card, list: [1, 2] } });
    const { k } = await s.storage.read(['k', 'missing']);
    expect(k).toMatchObject({ card, list: [1, 2] });
    expect(typeof k.eTag).toBe('string');
    expect(Object.keys(await s.storage.read(['missing']))).toEqual([]);
  });

  it('refuses a write with a stale eTag and keeps the newer value', async () => {
    await s.storage.write({ k: { v: 1 } });
    const first = (await s.storage.read(['k'])).k;
    await s.storage.write({ k: { ...first, v: 2 } });
    await expect(s.storage.write({ k: { ...first, v: 3 } })).rejects.toThrow(/etag/i);
    expect((await s.storage.read(['k'])).k.v).toBe(2);
  });

  it('lets exactly one of two writers holding the same eTag win', async () => {
    await s.storage.write({ k: { v: 0 } });
    const read = (await s.storage.read(['k'])).k;
    const results = await Promise.allSettled([
      s.storage.write({ k: { ...read, v: 'a' } }),
      s.storage.write({ k: { ...read, v: 'b' } }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(['a', 'b']).toContain((await s.storage.read(['k'])).k.v);
  });

  it('creates a create-only item once, and refuses a second creation', async () => {
    await s.storage.write({ lock: { holder: 'a', eTag: CREATE_ONLY_ETAG } });
    await expect(
      s.storage.write({ lock: { holder: 'b', eTag: CREATE_ONLY_ETAG } }),
    ).rejects.toThrow(/etag/i);
    expect((await s.storage.read(['lock'])).lock.holder).toBe('a');
  });

  it('lets the first write of a Teams token-exchange dedupe item win, through FirstWriteWinsStorage', async () => {
    const store = new FirstWriteWinsStorage(s.storage);
    const item = () => ({ 'msteams/a:1/exchange-1': { eTag: 'exchange-1' } });
    await store.write(item());
    await expect(store.write(item())).rejects.toThrow(/etag conflict/i);
  });

  it("overwrites with eTag '*' and deletes", async () => {
    await s.storage.write({ k: { v: 1 } });
    await s.storage.write({ k: { v: 2, eTag: '*' } });
    expect((await s.storage.read(['k'])).k.v).toBe(2);
    await s.storage.delete(['k']);
    expect(await s.storage.read(['k'])).toEqual({});
  });
});

describe('EmbeddedStorage durability', () => {
  it('keeps what was written across a reopen (a restart)', async () => {
    const s = await stores[1]![1]();
    await s.storage.write({ a: { v: 1 }, b: { v: 2 } });
    await s.storage.delete(['b']);
    const reopened = await s.reopen!();
    expect(await reopened.read(['a', 'b'])).toEqual({ a: expect.objectContaining({ v: 1 }) });
    await s.close();
  });
});
