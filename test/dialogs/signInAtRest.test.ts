import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { IDS } from '../../src/sandbox';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { answerSignInPage } from '../helpers/sandboxBrowser';
import type { Json } from '../helpers/sandboxHttp';
import { actionData, cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, startHarness, type Harness } from '../helpers/testApp';

/**
 * Issue 25, defect 1: the subscription admin's sign-in page URL carries the `state` that completes
 * the sign-in. Whoever read it from the store could open it, sign in as another account, and put
 * that account's tokens into the initiator's cache. While the sign-in waits, no store kind holds
 * the URL, its state or its PKCE challenge in clear; the initiator's card is rebuilt from the
 * sealed link (a refresh, a click after a restart), and an attacker who has only the store has
 * nothing to open.
 */

const T = IDS.tenants;
const S = IDS.subscriptions;
const chat = personalChat(USERS.kelley);

/** What an attacker reading a store must not find. */
function secretsOf(authorize: URL): string[] {
  return [
    authorize.searchParams.get('state')!,
    authorize.searchParams.get('code_challenge')!,
    'state=',
    'code_challenge',
    'oauth2/v2.0/authorize',
  ];
}

/** The link of the card's "open the sign-in page" button. */
function openUrl(card: Json): URL | undefined {
  const open = ((card as { actions?: { type: string; url?: string }[] }).actions ?? []).find(
    (a) => a.type === 'Action.OpenUrl',
  );
  return open?.url ? new URL(open.url) : undefined;
}

/** Starts a link up to the "open the sign-in page" card; returns its URL. */
async function waitingSignIn(h: Harness): Promise<URL> {
  await h.channel.say(USERS.kelley, 'link');
  await click(h, USERS.kelley, chat, 'link.start');
  await click(h, USERS.kelley, chat, 'signin.select', { choice: `kelley-work|${T.contoso}` });
  await click(h, USERS.kelley, chat, 'signin.select', { subscriptionId: S.payAsYouGo });
  const url = openUrl(h.channel.lastCard(chat).card);
  expect(url?.searchParams.get('state')).toBeTruthy();
  return url!;
}

/** The initiator's client asks for its view of the waiting card (a Universal Actions refresh). */
async function refreshedCard(h: Harness): Promise<Json> {
  const { id, card } = h.channel.lastCard(chat);
  const answer = await h.channel.invoke(
    USERS.kelley,
    'card.refresh',
    actionData(card, 'signin.restart'),
    id,
  );
  return (answer.body as { value: Json }).value;
}

describe.each([
  ['memory', async (): Promise<Store> => memoryStore()],
  ['embedded', async (): Promise<Store> => embeddedStore()],
  ['blob (Azurite)', async (): Promise<Store> => blobStore()],
])('a pending sign-in in the %s store', (_kind, open) => {
  let store: Store;
  let h: Harness;

  beforeAll(async () => {
    store = await open();
    h = await startHarness(store.env);
    store.attach(h);
  });
  afterAll(async () => {
    await h?.stop();
    await store?.close();
  });

  it('keeps no sign-in URL, state or challenge in clear; the initiator still gets the link', async () => {
    const authorize = await waitingSignIn(h);
    const dump = await store.dump();
    expect(dump.length).toBeGreaterThan(0);
    for (const secret of secretsOf(authorize)) expect(dump).not.toContain(secret);

    // The initiator's own view is rebuilt with the same link, from the sealed value.
    expect(openUrl(await refreshedCard(h))?.href).toBe(authorize.href);

    // The link still completes the initiator's sign-in, once.
    const page = await answerSignInPage(authorize.href, h.sandbox.caCertificatePem, {
      account: 'kelley-msa',
    });
    expect(page.location?.pathname).toBe('/auth/azure/callback');
    await h.channel.say(USERS.kelley, 'cancel');
  });
});

describe('the embedded store on disk', () => {
  it('keeps no sign-in URL after compaction either', async () => {
    const store = await embeddedStore();
    const h = await startHarness(store.env);
    try {
      const authorize = await waitingSignIn(h);
      expect(cardText(h.channel.lastCard(chat).card)).toContain('sign-in page');
      await h.app.stop(); // compacts the data file
      const file = join(store.env.STORAGE_DIR, 'tenantlink.db');
      const text = await readFile(file, 'utf8');
      expect(text).toContain('directorySignInWait');
      for (const secret of secretsOf(authorize)) expect(text).not.toContain(secret);
    } finally {
      await h.channel.stop();
      await h.sandbox.stop();
      await store.close();
    }
  });
});

/** A store a harness runs on, and what an attacker with read access to it sees. */
interface Store {
  readonly env: Record<string, string>;
  attach(h: Harness): void;
  /** Everything the store holds, as text. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

function memoryStore(): Store {
  let harness: Harness | undefined;
  return {
    env: { STORAGE: 'memory' },
    attach: (h) => (harness = h),
    dump: async () =>
      JSON.stringify((harness!.app.storage as unknown as { memory: unknown }).memory),
    close: async () => undefined,
  };
}

async function embeddedStore(): Promise<Store & { env: { STORAGE_DIR: string } }> {
  const dir = await mkdtemp(join(tmpdir(), 'tenantlink-at-rest-'));
  return {
    env: { STORAGE: 'embedded', STORAGE_DIR: dir },
    attach: () => undefined,
    dump: () => readFile(join(dir, 'tenantlink.db'), 'utf8'),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

async function blobStore(): Promise<Store> {
  const azurite: Azurite = await startAzurite();
  const container = 'atrest';
  return {
    env: {
      STORAGE: 'blob',
      BLOB_CONNECTION_STRING: azurite.connectionString,
      BLOB_CONTAINER: container,
    },
    attach: () => undefined,
    dump: async () => {
      const client = BlobServiceClient.fromConnectionString(
        azurite.connectionString,
      ).getContainerClient(container);
      const parts: string[] = [];
      for await (const blob of client.listBlobsFlat()) {
        parts.push(
          blob.name,
          (await client.getBlobClient(blob.name).downloadToBuffer()).toString(),
        );
      }
      return parts.join('\n');
    },
    close: () => azurite.stop(),
  };
}
