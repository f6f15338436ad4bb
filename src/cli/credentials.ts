// cli/credentials — writing and removing the file `storedKey()` reads, and showing a key
// without showing it. The file is written atomically with mode 0600: a temporary file (0600
// from its creation, in the same directory), fsync, then rename over the old one, so a reader
// never sees half a file and the key is never readable by others, not even for a moment.
// Imports: node builtins, keys/stored.node (the path and the file's shape).

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { StoredCredential } from '../keys/stored.node.ts';

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** Saves the credential at `path`, replacing any earlier one in one step. */
export async function saveCredential(path: string, credential: StoredCredential): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  const temporary = join(dir, `.credentials-${randomBytes(6).toString('hex')}.tmp`);
  try {
    // 'wx': create it new, never follow or reuse something already there.
    const file = await open(temporary, 'wx', FILE_MODE);
    try {
      await file.writeFile(`${JSON.stringify(credential, null, 2)}\n`, 'utf8');
      await file.chmod(FILE_MODE); // in case the umask took bits off the creation mode
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

/** Removes the credentials file; false when there was none. */
export async function deleteCredential(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** True when the file can be read by its group or by others (mode bits beyond 0600). */
export async function readableByOthers(path: string): Promise<boolean> {
  const { mode } = await stat(path);
  return (mode & 0o077) !== 0;
}

// The rename is durable once the directory entry is on disk; not every platform lets a
// directory be opened for fsync, and the file itself is already safe, so failure is ignored.
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

/** Keys shorter than this are shown with no characters at all. */
const SHOWN_FROM_LENGTH = 12;

/**
 * A key as the CLI shows it: `API_KEY_…4f2a` (the documented prefix, then at most the last 4
 * characters), `…4f2a` for a key without that prefix, `…` for a short key.
 */
export function maskKey(key: string): string {
  const prefix = key.startsWith('API_KEY_') ? 'API_KEY_' : '';
  const tail = key.length >= SHOWN_FROM_LENGTH ? key.slice(-4) : '';
  return `${prefix}…${tail}`;
}

/** A path with the home directory written as `~`. */
export function displayPath(path: string): string {
  const home = homedir();
  return path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}
