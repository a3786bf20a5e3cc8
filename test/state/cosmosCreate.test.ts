import { randomUUID } from 'node:crypto';
import { CosmosDbPartitionedStorage } from 'botbuilder-azure';
import { CosmosStateStorage } from '../../src/state/cloudStorage';
import { CREATE_ONLY_ETAG, isETagConflict } from '../../src/state/createOnly';
import { SubscriptionLockStore } from '../../src/state/subscriptionLocks';

/**
 * Issue 25, defect 5, on Cosmos DB: a create-only write is Create Document (409 Conflict when the
 * id is taken), not a read followed by an upsert. There is no Cosmos DB emulator to run here, so
 * `@azure/cosmos` is replaced at the module boundary by an in-memory account with Cosmos DB's
 * document semantics (https://learn.microsoft.com/rest/api/cosmos-db/create-a-document: 409 when
 * the id is taken; upsert with If-Match: 412 when the eTag is stale; ids must not hold `/ \ ? #`).
 * Both tenantlink's create path and botbuilder-azure's CosmosDbPartitionedStorage run on it, so
 * the tests also show that an item created here is the document botbuilder reads.
 */

interface Doc {
  id: string;
  _etag: string;
  [field: string]: unknown;
}

/**
 * Every container of the fake account (by `database/container`), every request made, and an error
 * the next create answers instead (a test sets it).
 */
const mockAccount = {
  containers: new Map<string, Map<string, Doc>>(),
  requests: [] as { op: string; id?: string; body?: unknown; options?: unknown }[],
  failNextCreate: undefined as Error | undefined,
};

jest.mock('@azure/cosmos', () => {
  const cosmosError = (code: number, message: string): Error =>
    Object.assign(new Error(message), { code });
  // Every request yields first, as a network round trip would, so that racing callers interleave.
  const roundTrip = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  const docs = (path: string): Map<string, Doc> => {
    const found = mockAccount.containers.get(path);
    if (!found) throw cosmosError(404, `Resource Not Found: ${path}`);
    return found;
  };
  const validId = (id: unknown): string => {
    if (typeof id !== 'string' || /[/\\?#]/.test(id))
      throw cosmosError(400, `The input name '${String(id)}' is invalid.`);
    return id;
  };
  const container = (path: string) => ({
    items: {
      async create(body: { id: unknown }, options?: unknown) {
        await roundTrip();
        const id = validId(body.id);
        mockAccount.requests.push({ op: 'create', id, body, options });
        const failure = mockAccount.failNextCreate;
        mockAccount.failNextCreate = undefined;
        if (failure) throw failure;
        const store = docs(path);
        if (store.has(id))
          throw cosmosError(409, 'Entity with the specified id already exists in the system.');
        const doc = { ...structuredClone(body), id, _etag: `"${randomUUID()}"` };
        store.set(id, doc);
        return { resource: structuredClone(doc), statusCode: 201 };
      },
      async upsert(
        body: { id: unknown },
        options?: { accessCondition?: { type: string; condition: string } },
      ) {
        await roundTrip();
        const id = validId(body.id);
        mockAccount.requests.push({ op: 'upsert', id, body, options });
        const store = docs(path);
        const ifMatch = options?.accessCondition;
        if (ifMatch && (ifMatch.type !== 'IfMatch' || store.get(id)?._etag !== ifMatch.condition))
          throw cosmosError(412, 'One of the specified pre-condition is not met');
        const doc = { ...structuredClone(body), id, _etag: `"${randomUUID()}"` };
        store.set(id, doc);
        return { resource: structuredClone(doc), statusCode: 200 };
      },
    },
    item(id: string, partitionKey: unknown) {
      return {
        async read() {
          await roundTrip();
          mockAccount.requests.push({ op: 'read', id });
          // The container is partitioned on /id.
          if (partitionKey !== id) throw cosmosError(400, 'partition key mismatch');
          const doc = docs(path).get(id);
          return { resource: doc && structuredClone(doc), statusCode: doc ? 200 : 404 };
        },
        async delete() {
          await roundTrip();
          mockAccount.requests.push({ op: 'delete', id });
          if (!docs(path).delete(id)) throw cosmosError(404, 'Resource Not Found');
          return { statusCode: 204 };
        },
      };
    },
  });
  class CosmosClient {
    database(database: string) {
      return {
        container: (id: string) => container(`${database}/${id}`),
        containers: {
          async createIfNotExists(def: { id: string; partitionKey: { paths: string[] } }) {
            await roundTrip();
            if (def.partitionKey.paths.join() !== '/id') throw cosmosError(400, 'partition key');
            const path = `${database}/${def.id}`;
            if (!mockAccount.containers.has(path)) mockAccount.containers.set(path, new Map());
            return { container: container(path) };
          },
        },
      };
    }
  }
  return { CosmosClient };
});

const ENDPOINT = 'https://tenantlink.documents.azure.com:443/';
// botbuilder-azure creates a container once per process (a module-level cache by database and
// container id), so each test has a container of its own, created by its first request.
let container = '';
let containers = 0;
const store = (): CosmosStateStorage =>
  new CosmosStateStorage(ENDPOINT, 'not-a-key', 'tenantlink', container);
const botbuilder = (): CosmosDbPartitionedStorage =>
  new CosmosDbPartitionedStorage({
    cosmosDbEndpoint: ENDPOINT,
    authKey: 'not-a-key',
    databaseId: 'tenantlink',
    containerId: container,
    compatibilityMode: false,
  });
const stored = (id: string): Doc | undefined =>
  mockAccount.containers.get(`tenantlink/${container}`)?.get(id);

beforeEach(() => {
  container = `state-${++containers}`;
  mockAccount.requests.length = 0;
});

it('creates a create-only item with Create Document, as the document botbuilder reads', async () => {
  const key = 'locks/subscriptions/a27e2463?#1';
  const item = { holderName: 'Sjögren', nested: { list: [1, 'two'] } };
  await store().write({ [key]: { ...item, eTag: CREATE_ONLY_ETAG } });
  expect(mockAccount.requests.map((r) => r.op)).toEqual(['create']);
  const escaped = 'locks*2fsubscriptions*2fa27e2463*3f*231';
  expect(mockAccount.requests[0]!.body).toEqual({ id: escaped, realId: key, document: item });
  // botbuilder-azure's own class, on its own client, reads it back unchanged.
  const read = (await botbuilder().read([key]))[key];
  expect(read).toEqual({ ...item, eTag: stored(escaped)?._etag });
  expect(read?.eTag).toEqual(expect.any(String));
});

it('answers a create-only write on a taken key with an eTag conflict (Cosmos DB 409)', async () => {
  await store().write({ k: { v: 1, eTag: CREATE_ONLY_ETAG } });
  const err: unknown = await store()
    .write({ k: { v: 2, eTag: CREATE_ONLY_ETAG } })
    .catch((e: unknown) => e);
  expect(String(err)).toMatch(/error writing "k" due to eTag conflict/);
  expect(isETagConflict(err)).toBe(true);
  expect((await store().read(['k'])).k).toMatchObject({ v: 1 });
  expect(mockAccount.requests.filter((r) => r.op === 'upsert')).toEqual([]);
});

it("keeps writes with a real eTag on botbuilder's upsert with If-Match", async () => {
  const s = store();
  await s.write({ k: { v: 1, eTag: CREATE_ONLY_ETAG } });
  const read = (await s.read(['k'])).k!;
  await s.write({ k: { ...read, v: 2 } });
  const upsert = mockAccount.requests.find((r) => r.op === 'upsert');
  expect(upsert?.options).toEqual({ accessCondition: { type: 'IfMatch', condition: read.eTag } });
  const stale: unknown = await s.write({ k: { ...read, v: 3 } }).catch((e: unknown) => e);
  expect(isETagConflict(stale)).toBe(true);
  expect((await s.read(['k'])).k).toMatchObject({ v: 2 });
});

it('passes other Cosmos DB errors through unchanged, not as a lost race', async () => {
  const throttled = Object.assign(new Error('Request rate is large'), { code: 429 });
  mockAccount.failNextCreate = throttled;
  const err: unknown = await store()
    .write({ k: { v: 1, eTag: CREATE_ONLY_ETAG } })
    .catch((e: unknown) => e);
  expect(err).toBe(throttled);
  expect(isETagConflict(err)).toBe(false);
  expect(stored('k')).toBeUndefined();
});

it('gives a subscription to exactly one of 8 instances racing for it, every round', async () => {
  const instances = Array.from({ length: 8 }, () => new SubscriptionLockStore(store()));
  const winnersPerRound: number[] = [];
  for (let round = 0; round < 20; round++) {
    const results = await Promise.all(
      instances.map((locks, i) =>
        locks.acquire({
          subscriptionId: `sub-${round}`,
          flowId: `flow-${i}`,
          holderId: `user-${i}`,
          holderName: `Admin ${i}`,
        }),
      ),
    );
    winnersPerRound.push(results.filter((r) => r.acquired).length);
  }
  expect(winnersPerRound).toEqual(Array(20).fill(1));
});
