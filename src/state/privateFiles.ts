import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';

/**
 * Files of the local data folder (`STORAGE_DIR`) that only the account running tenantlink may
 * read: the embedded store, local mode's token cache key, the sandbox's control secret. The folder
 * is made owner-only (0700) and each file is created owner-only (0600) from its first byte: it is
 * written under a new temporary name opened with `wx` and mode 0600, then put in place, so no
 * other account can open it in between and no reader sees half of it. The modes do not depend on
 * the process umask, which is never changed (POSIX modes; Windows keeps only the read-only bit).
 */

/** Mode of a private folder: owner read, write and search only. */
export const PRIVATE_FOLDER_MODE = 0o700;
/** Mode of a private file: owner read and write only. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `directory` (and its parents, with the default mode) when missing and makes it (not its
 * parents) owner-only, also when it existed with a wider mode.
 * @throws Error from the file system (not allowed to create it or change its mode)
 */
export async function ensurePrivateFolder(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  await chmod(directory, PRIVATE_FOLDER_MODE);
}

/**
 * Makes an existing file owner-only when its mode lets anyone else in (group or others bits).
 * @throws Error from the file system (ENOENT when there is no such file)
 */
export async function tightenFile(file: string): Promise<void> {
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, PRIVATE_FILE_MODE);
}

/**
 * Replaces `file` with `text` in one step: a new owner-only file, flushed to disk, renamed over
 * the old one (which readers see whole until then).
 * @throws Error from the file system
 */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  const temporary = await writeTemporary(file, text);
  try {
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

/**
 * The content of `file`, made once: when there is no such file, `make()` is written to a new
 * owner-only file, flushed, and linked under the name, which fails when the name exists; so of two
 * processes starting at once, one creates it and the other reads what it wrote, whole. An existing
 * file with a wider mode is made owner-only.
 * @returns the file's text (UTF-8) and whether this call created it
 * @throws Error from the file system (a file system without hard links: EPERM, ENOTSUP)
 */
export async function readOrCreatePrivateFile(
  file: string,
  make: () => string,
): Promise<{ readonly text: string; readonly created: boolean }> {
  const existing = await readPrivate(file);
  if (existing !== undefined) return { text: existing, created: false };
  const text = make();
  const temporary = await writeTemporary(file, text);
  try {
    await link(temporary, file);
    return { text, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another process created it first: its content wins.
    const theirs = await readPrivate(file);
    if (theirs === undefined) throw err;
    return { text: theirs, created: false };
  } finally {
    await rm(temporary, { force: true });
  }
}

/** The text of `file` (made owner-only first), or undefined when there is none. */
async function readPrivate(file: string): Promise<string | undefined> {
  try {
    await tightenFile(file);
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Writes `text` to a new owner-only file next to `file` (a random name, opened with `wx`: never
 * an existing file) and flushes it to disk.
 * @returns the temporary file's path
 */
async function writeTemporary(file: string, text: string): Promise<string> {
  const temporary = `${file}.${randomBytes(8).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temporary, { force: true });
    throw err;
  }
  await handle.close();
  return temporary;
}
