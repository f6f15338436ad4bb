// What the framework builds must never show (test/frameworks/run.mjs): the mock's key in a
// build output, a log or a response, a warning that names the package, a bundle that took it
// from outside the tarball; and that their traffic did reach the mock with the key.
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

/** The app's traffic reached the mock, with the key: REST calls in the header, each turn's socket too. */
export function checkMockSawTheKey(mock, pages, key) {
  const keyed = (r) => r.headers['x-network-api-key'] === key || r.query.network_api_key === key;
  const rest = mock.requests.filter((r) => r.method !== 'WS' && keyed(r));
  const sockets = mock.requests.filter((r) => r.method === 'WS' && keyed(r));
  if (rest.length < pages || sockets.length < 2 * pages)
    throw new Error(
      `the mock saw ${rest.length} REST call(s) and ${sockets.length} WebSocket(s) with the key; expected a task and two turns per page (${pages})`,
    );
}

/** Where the route's WebSocket upgrades carried the key: `query`, `header` or both (`query + header`). */
export function socketKeyPlaces(requests, key) {
  const places = new Set();
  for (const request of requests.filter((r) => r.method === 'WS')) {
    const where = [];
    if (request.query.network_api_key === key) where.push('query');
    if (request.headers['x-network-api-key'] === key) where.push('header');
    places.add(where.join(' + ') || 'none');
  }
  return [...places].join(', ');
}

/**
 * An esbuild bundle (its metafile) took `entry` from the tarball, only files inside the app, and
 * no Node-only module (the package's Node build, `ws`).
 */
export function checkBundleInputs(dir, { metafile, entry }) {
  const inputs = Object.keys(JSON.parse(readFileSync(join(dir, metafile), 'utf8')).inputs);
  const outside = inputs.filter((input) => input.startsWith('..') || input.startsWith('/'));
  if (outside.length > 0)
    throw new Error(`${metafile}: inputs from outside the app: ${outside.slice(0, 5).join(', ')}…`);
  if (!inputs.includes(entry))
    throw new Error(
      `${metafile}: the bundle did not take ${entry} (aui-messaging inputs: ${inputs.filter((i) => i.includes('aui-messaging')).join(', ') || 'none'})`,
    );
  const nodeOnly = inputs.filter((input) =>
    /aui-messaging\/dist\/.*\.node\.|node_modules\/(isomorphic-)?ws\//.test(input),
  );
  if (nodeOnly.length > 0)
    throw new Error(`${metafile}: Node-only modules in the bundle: ${nodeOnly.join(', ')}`);
}

/** 0 hits of the key in the build outputs, the build and server logs and every response; throws on any. */
export function checkNoKey(dir, app, { key, buildLog, serverLog, responses }) {
  const files = keyHitsInFiles(
    dir,
    app.outputs.map((output) => join(dir, output)),
    key,
  );
  const hits = [...files.hits];
  if (buildLog.includes(key)) hits.push('the build output');
  if (serverLog.includes(key)) hits.push("the server's log");
  for (const response of responses) {
    if (JSON.stringify(response.headers).includes(key)) hits.push(`headers of ${response.url}`);
    if (response.body !== undefined && Buffer.from(response.body).includes(key))
      hits.push(`body of ${response.url}`);
  }
  if (hits.length > 0) throw new Error(`the key was found in: ${hits.join(', ')}`);
  // The streamed answers were read whole, so they were searched too.
  const streams = responses.filter((response) => /\/messages\/stream$/.test(new URL(response.url).pathname));
  if (streams.length === 0 || !streams.every((response) => String(response.body).includes('event: end')))
    throw new Error('the streamed answers could not be read back for the key check');
  const bytes = responses.reduce((sum, response) => sum + (response.body?.length ?? 0), 0);
  return { files: files.files, bytes: files.bytes, responses: responses.length, responseBytes: bytes };
}
