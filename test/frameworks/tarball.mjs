// The package as the framework apps get it (test/frameworks/run.mjs): built and packed once,
// then installed from the tarball into each app without touching its package.json or lockfile,
// and checked to be the dist just built.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { run } from './processes.mjs';

const BUILD_TIMEOUT_MS = 900_000;

/** Builds and packs the package; the tarball's path and a hash per built file, to check installs against. */
export async function pack({ root, work, verbose }) {
  await run('npm', ['run', 'build'], { cwd: root, timeoutMs: BUILD_TIMEOUT_MS, echo: verbose });
  const destination = join(work, 'pack');
  await rm(destination, { recursive: true, force: true });
  await mkdir(destination, { recursive: true });
  const output = await run('npm', ['pack', '--json', '--silent', '--pack-destination', destination], {
    cwd: root,
    timeoutMs: 120_000,
  });
  const [packed] = JSON.parse(output.slice(output.indexOf('[')));
  return { tarball: join(destination, packed.filename), dist: hashes(join(root, 'dist')), size: packed.size };
}

/** relative path → sha256, for every file under `folder`. */
function hashes(folder) {
  const found = new Map();
  const visit = (path) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else {
      found.set(relative(folder, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  visit(folder);
  return found;
}

const installed = new Map(); // app directory → promise of the install

/**
 * Puts the tarball into the app's node_modules, leaving its package.json and lockfile as they
 * were (checked), and checks the installed dist is the one just built.
 */
export function installTarball(dir, staged, { verbose }) {
  if (!installed.has(dir)) installed.set(dir, install(dir, staged, verbose));
  return installed.get(dir);
}

async function install(dir, staged, verbose) {
  const folder = basename(dir);
  if (!existsSync(join(dir, 'node_modules')))
    throw new Error(
      `test/frameworks/${folder} is not installed: run npm ci --prefix test/frameworks/${folder}`,
    );
  const manifests = ['package.json', 'package-lock.json'].map((file) => readFileSync(join(dir, file)));
  await rm(join(dir, 'node_modules', 'aui-messaging'), { recursive: true, force: true });
  await run(
    'npm',
    [
      'install',
      '--no-save',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      staged.tarball,
    ],
    { cwd: dir, timeoutMs: 300_000, echo: verbose },
  );
  ['package.json', 'package-lock.json'].forEach((file, index) => {
    if (!readFileSync(join(dir, file)).equals(manifests[index]))
      throw new Error(`installing the tarball changed test/frameworks/${folder}/${file}`);
  });
  const where = realpathSync(join(dir, 'node_modules', 'aui-messaging'));
  if (!where.startsWith(dir)) throw new Error(`aui-messaging resolves to ${where}, outside the app`);
  const got = hashes(join(where, 'dist'));
  const differing = [...staged.dist].filter(([file, hash]) => got.get(file) !== hash).map(([file]) => file);
  if (differing.length > 0 || got.size !== staged.dist.size)
    throw new Error(`the installed dist is not the one just built (${differing.slice(0, 5).join(', ')}…)`);
}

/** The version of `name` installed in the app at `dir`, or `missing`. */
export function versionIn(dir, name) {
  const manifest = join(dir, 'node_modules', name, 'package.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).version;
  // wrangler's own copy of workerd, when npm did not hoist it
  const nested = join(dir, 'node_modules', 'wrangler', 'node_modules', name, 'package.json');
  return existsSync(nested) ? JSON.parse(readFileSync(nested, 'utf8')).version : 'missing';
}
