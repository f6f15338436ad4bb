// What the framework builds must never show (test/frameworks/run.mjs): the mock's key in a
// build output, a log or a response, and a warning that names the package.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Every file under `paths` (folders or files; missing ones skipped) that contains `key`, as
 * paths relative to `root`, and how many files and bytes were read.
 */
export function keyHitsInFiles(root, paths, key) {
  const needle = Buffer.from(key);
  const hits = [];
  let files = 0;
  let bytes = 0;
  const visit = (path) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
      return;
    }
    if (!stat.isFile()) return;
    const content = readFileSync(path);
    files += 1;
    bytes += content.length;
    if (content.includes(needle)) hits.push(relative(root, path));
  };
  for (const path of paths) if (existsSync(path)) visit(path);
  return { hits, files, bytes };
}

/**
 * Where a tool's output names aui-messaging, each with the lines around it. A clean build or
 * server of these apps never prints the package's name (checked for all four), so a mention is a
 * warning, an error or the import trace of one — whatever the tool's format: Next.js prints
 * webpack's warnings under a "⚠ Compiled with warnings" line, a blank line away from the module
 * path; Vite prints "(!)" blocks; esbuild and wrangler "▲ [WARNING]"; the package's own logger
 * "[aui-messaging]".
 */
export function mentionsOfPackage(output) {
  const lines = plain(output).split('\n');
  const found = [];
  lines.forEach((line, index) => {
    if (/aui-messaging/i.test(line)) found.push(lines.slice(Math.max(0, index - 3), index + 4).join('\n'));
  });
  return found;
}

// eslint-disable-next-line no-control-regex
export const plain = (text) => String(text).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
