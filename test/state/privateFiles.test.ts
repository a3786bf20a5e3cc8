import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEPT_KEY_FILE, Sealer, keptKey } from '../../src/auth/sealedStore';
import { decodeKey } from '../../src/configFormats';
import { EmbeddedStorage } from '../../src/state/embeddedStorage';
import { readOrCreatePrivateFile, writePrivateFile } from '../../src/state/privateFiles';

/**
 * The local data folder holds what only the account running tenantlink may read (issue 25,
 * defect 4): the embedded store's data file and local mode's token cache key are owner-only
 * (0600) in an owner-only folder (0700), also after the store rewrites its file (compaction:
 * a temporary file renamed over it), and the kept key is made once and read again at each start.
 */

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tenantlink-private-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the embedded store', () => {
  it('keeps its data file 0600 and its folder 0700, after compaction and after a reopen', async () => {
    const folder = join(dir, 'data');
    const file = join(folder, 'tenantlink.db');
    const store = await EmbeddedStorage.open(folder);
    await store.write({ a: { value: 1 } });
    expect([await modeOf(folder), await modeOf(file)]).toEqual([0o700, 0o600]);
    // close() compacts: the file is rewritten under a temporary name and renamed over the old one.
    await store.close();
    expect([await modeOf(folder), await modeOf(file)]).toEqual([0o700, 0o600]);
    const again = await EmbeddedStorage.open(folder);
    await again.write({ b: { value: 2 } });
    expect(await again.read(['a', 'b'])).toMatchObject({ a: { value: 1 }, b: { value: 2 } });
    await again.close();
    expect([await modeOf(folder), await modeOf(file)]).toEqual([0o700, 0o600]);
  });

  it('makes a store left readable by others (an earlier version) owner-only when it opens it', async () => {
    const first = await EmbeddedStorage.open(dir);
    await first.write({ a: { value: 1 } });
    await first.close();
    await chmod(dir, 0o755);
    await chmod(join(dir, 'tenantlink.db'), 0o644);
    const store = await EmbeddedStorage.open(dir);
    expect([await modeOf(dir), await modeOf(join(dir, 'tenantlink.db'))]).toEqual([0o700, 0o600]);
    expect(await store.read(['a'])).toMatchObject({ a: { value: 1 } });
    await store.close();
  });
});

describe("local mode's kept token cache key", () => {
  it('is made once, owner-only in an owner-only folder, and read again at the next start', async () => {
    const folder = join(dir, 'data');
    const key = await keptKey(folder);
    expect('key' in decodeKey(key)).toBe(true);
    expect([await modeOf(folder), await modeOf(join(folder, KEPT_KEY_FILE))]).toEqual([
      0o700, 0o600,
    ]);
    expect(await keptKey(folder)).toBe(key);
    // What it sealed opens with the key read back.
    const sealed = new Sealer(key).seal('tokens', 'signin/azure/x');
    expect(new Sealer(await keptKey(folder)).open(sealed, 'signin/azure/x')).toBe('tokens');
  });

  it('is one key for starts at the same time', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => keptKey(dir)));
    expect(new Set(keys).size).toBe(1);
    expect(await readFile(join(dir, KEPT_KEY_FILE), 'utf8')).toBe(`${keys[0]}\n`);
  });

  it('makes a key file readable by others owner-only, keeping the key', async () => {
    const key = await keptKey(dir);
    await chmod(join(dir, KEPT_KEY_FILE), 0o644);
    expect(await keptKey(dir)).toBe(key);
    expect(await modeOf(join(dir, KEPT_KEY_FILE))).toBe(0o600);
  });

  it.each([
    ['empty', ''],
    ['not base64', '!!!!not a key at all, and not 32 bytes long either!!!!\n'],
    ['one byte repeated', `${Buffer.alloc(32).toString('base64')}\n`],
    ['two lines', `${Sealer.newKey()}\n${Sealer.newKey()}\n`],
  ])('refuses a key file that is %s, naming the file and never its content', async (_w, text) => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, KEPT_KEY_FILE), text, { mode: 0o600 });
    const error = await keptKey(dir).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toMatch(/TL-CONFIG-INVALID/);
    expect(error?.message).toContain(join(dir, KEPT_KEY_FILE));
    if (text.trim()) expect(error?.message).not.toContain(text.trim().split('\n')[0]);
    // Nothing replaced it.
    expect(await readFile(join(dir, KEPT_KEY_FILE), 'utf8')).toBe(text);
  });
});

it('creates a file once for callers at the same time: one writes it, all read its whole content', async () => {
  const file = join(dir, 'once');
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => readOrCreatePrivateFile(file, () => `made by ${i}\n`)),
  );
  expect(results.filter((r) => r.created)).toHaveLength(1);
  const made = results.find((r) => r.created)!.text;
  expect(results.map((r) => r.text)).toEqual(Array.from({ length: 8 }, () => made));
  expect(await readFile(file, 'utf8')).toBe(made);
  // No temporary file is left behind.
  expect(await readdir(dir)).toEqual(['once']);
});

it('replaces a file with an owner-only one, whatever mode the old one had', async () => {
  const file = join(dir, 'secret');
  await writeFile(file, 'old', { mode: 0o644 });
  await writePrivateFile(file, 'new');
  expect(await readFile(file, 'utf8')).toBe('new');
  expect(await modeOf(file)).toBe(0o600);
});
