// Build and package checks, on what `npm run build` left in dist/
// (`npm test` builds before test:node) and on the tarball `npm pack` makes of it:
//   - the web build — every dist file reachable from the web conditions (workerd, edge-light,
//     worker, browser, deno, bun) of `.`, `./server`, `./server/cloudflare`, `./browser` and `./ai`,
//     imports followed through dist/chunks — never imports ws/isomorphic-ws/node:*, never
//     names Buffer or a bare `process`, has no eval/new Function and no top-level await;
//   - `./server/redis` never imports `redis` (an optional peer: the client is an argument) or a
//     Node built-in;
//   - importing a web entry (and building its client) starts no timer, no I/O and draws no
//     random value: Workers forbid all three at module scope;
//   - publint and @arethetypeswrong/cli pass on the tarball;
//   - installed from the tarball, require() and import() of every entry work on this Node (20),
//     and an error thrown through `aui-messaging/browser` is `instanceof` the class exported by
//     `aui-messaging`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { parseAst } from 'rollup/parseAst';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const BIN = join(ROOT, 'node_modules', '.bin');
const WEB_CONDITIONS = ['workerd', 'edge-light', 'worker', 'browser', 'deno', 'bun'] as const;
const WEB_ENTRIES = ['.', './server', './server/cloudflare', './browser', './ai'] as const;

type Target = string | { import?: string; require?: string };
type ExportsMap = Record<string, Record<string, Target | Record<string, string>>>;
const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  exports: ExportsMap;
};

before(() => {
  if (!existsSync(join(DIST, 'index.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
});

/* ------------------------------------------------------------------ reading the web build */

/** The files the web conditions of the web entries point at, ESM and CJS. */
function webEntryFiles(): string[] {
  const files = new Set<string>();
  for (const entry of WEB_ENTRIES) {
    const conditions = manifest.exports[entry];
    assert.ok(conditions, `exports has ${entry}`);
    for (const condition of WEB_CONDITIONS) {
      const target = conditions[condition] as Target | undefined;
      assert.ok(target, `exports["${entry}"] has the "${condition}" condition`);
      for (const file of typeof target === 'string' ? [target] : [target.import, target.require]) {
        if (file) files.add(join(ROOT, file));
      }
    }
  }
  return [...files];
}

interface Analysis {
  file: string;
  /** Every module specifier: static and dynamic import, re-export, require(). `<computed>` when not a literal. */
  specifiers: string[];
  /** The code with comments dropped and the contents of string, template and regex literals blanked. */
  code: string;
  /** A top-level `await` (or `for await`), quoted from the comment-free code, if any. */
  topLevelAwait: string | undefined;
}

type Node = { type: string; start: number; end: number; [key: string]: unknown };
const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

async function analyse(file: string): Promise<Analysis> {
  // esbuild, only minifying whitespace, drops every comment (legal ones too) and changes nothing
  // else at target esnext: no renaming, no syntax rewrite. The code becomes a few long lines.
  const { code: source } = await transform(await readFile(file, 'utf8'), {
    loader: 'js',
    target: 'esnext',
    legalComments: 'none',
    minifyWhitespace: true,
  });
  const ast = parseAst(source) as unknown as Node;
  const specifiers: string[] = [];
  const blanks: Array<[number, number]> = [];
  let topLevelAwait: number | undefined;

  const literal = (node: unknown): string =>
    isNode(node) && node.type === 'Literal' && typeof node.value === 'string' ? node.value : '<computed>';
  const visit = (node: Node, depth: number): void => {
    switch (node.type) {
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
      case 'ImportExpression':
        specifiers.push(literal(node.source));
        break;
      case 'ExportNamedDeclaration':
        if (node.source) specifiers.push(literal(node.source));
        break;
      case 'CallExpression': {
        const callee = node.callee as Node;
        if (callee.type === 'Identifier' && callee.name === 'require')
          specifiers.push(literal((node.arguments as Node[])[0]));
        break;
      }
      case 'Literal':
        if (typeof node.value === 'string' || node.regex) blanks.push([node.start + 1, node.end - 1]);
        break;
      case 'TemplateElement':
        blanks.push([node.start, node.end]);
        break;
      case 'AwaitExpression':
        if (depth === 0) topLevelAwait ??= node.start;
        break;
      case 'ForOfStatement':
        if (depth === 0 && node.await) topLevelAwait ??= node.start;
        break;
    }
    const inner = FUNCTIONS.has(node.type) ? depth + 1 : depth;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) visit(item, inner);
      } else if (isNode(value)) visit(value, inner);
    }
  };
  visit(ast, 0);

  let code = source;
  for (const [start, end] of blanks)
    if (end > start) code = code.slice(0, start) + ' '.repeat(end - start) + code.slice(end);
  return {
    file,
    specifiers,
    code,
    topLevelAwait: topLevelAwait === undefined ? undefined : around(source, topLevelAwait, topLevelAwait + 5),
  };
}

/** The web entries and every dist file they reach through relative imports. */
const webBuild = () => reachableFrom(webEntryFiles());

/** These dist files and every dist file they reach through relative imports. */
async function reachableFrom(entryFiles: string[]): Promise<Analysis[]> {
  const seen = new Map<string, Analysis>();
  const queue = [...entryFiles];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    assert.ok(existsSync(file), `${relative(ROOT, file)} exists`);
    const analysis = await analyse(file);
    seen.set(file, analysis);
    for (const specifier of analysis.specifiers) {
      if (specifier.startsWith('./') || specifier.startsWith('../'))
        queue.push(join(dirname(file), specifier));
    }
  }
  return [...seen.values()];
}

const NODE_BUILTINS = new Set(builtinModules);

const around = (code: string, start: number, end: number) =>
  `…${code.slice(Math.max(0, start - 60), end + 60)}…`;

/** `file: …context…` for each match of `pattern` in the comment/literal-free code. */
function findings(analyses: Analysis[], pattern: RegExp): string[] {
  const out: string[] = [];
  for (const { file, code } of analyses) {
    for (const match of code.matchAll(new RegExp(pattern.source, 'g'))) {
      out.push(`${relative(ROOT, file)}: ${around(code, match.index, match.index + match[0].length)}`);
    }
  }
  return out;
}

describe('the web build (web conditions of ., ./server, ./server/cloudflare, ./browser, ./ai)', () => {
  let web: Analysis[];
  before(async () => {
    web = await webBuild();
  });

  test('reaches its chunks, in both formats', () => {
    const files = web.map((a) => relative(DIST, a.file));
    assert.ok(
      files.some((f) => f.startsWith('chunks/') && f.endsWith('.js')),
      `ESM chunks followed (${files.join(', ')})`,
    );
    assert.ok(
      files.some((f) => f.startsWith('chunks/') && f.endsWith('.cjs')),
      `CJS chunks followed (${files.join(', ')})`,
    );
    for (const file of files)
      assert.doesNotMatch(
        file,
        /\.node\.c?js$|^server\/node\.|^mock\.|^cli\./,
        `${file} is not a Node-only file`,
      );
  });

  test('imports no ws, isomorphic-ws or Node built-in', () => {
    const bad = web.flatMap(({ file, specifiers }) =>
      specifiers
        .filter(
          (s) =>
            s === 'ws' ||
            s === 'isomorphic-ws' ||
            s.startsWith('ws/') ||
            s.startsWith('node:') ||
            NODE_BUILTINS.has(s.split('/')[0]!) ||
            s === '<computed>',
        )
        .map((s) => `${relative(ROOT, file)} imports ${s}`),
    );
    assert.deepEqual(bad, []);
  });

  test('never names Buffer or a bare process (globalThis.process?.… and "process" are fine)', () => {
    assert.deepEqual(findings(web, /(?<![\w$])Buffer(?![\w$])/), [], 'Buffer');
    assert.deepEqual(findings(web, /(?<![\w$.'"])process(?![\w$'"])/), [], 'bare process');
  });

  test('has no eval( and no new Function', () => {
    assert.deepEqual(findings(web, /(?<![\w$])eval\s*\(/), [], 'eval(');
    assert.deepEqual(
      findings(web, /\bnew\s+Function\b|(?<![\w$.])Function\s*\(/),
      [],
      'new Function / Function(…)',
    );
  });

  test('has no top-level await (it would break require(esm) and Workers start-up)', () => {
    const found = web
      .filter((a) => a.topLevelAwait)
      .map((a) => `${relative(ROOT, a.file)}: ${a.topLevelAwait}`);
    assert.deepEqual(found, []);
  });
});

test('./server/redis imports neither `redis` nor a Node built-in, in either format', async () => {
  const files = ['server/redis.js', 'server/redis.cjs'].map((file) => join(DIST, file));
  const bad = (await reachableFrom(files)).flatMap(({ file, specifiers }) =>
    specifiers
      .filter(
        (s) => s === 'redis' || s.startsWith('@redis/') || s.startsWith('node:') || NODE_BUILTINS.has(s),
      )
      .map((s) => `${relative(ROOT, file)} imports ${s}`),
  );
  assert.deepEqual(bad, []);
});

/* ------------------------------------------------------------------ module scope */

// Runs in a fresh Node process per entry: instruments every timer, I/O and randomness global,
// loads the entry (and so its chunks), then builds a client the way a Worker does at module
// scope (`ai` has none: its one function runs per request), and prints what was called. The instruments never call through, so nothing can leak.
const PROBE = String.raw`
const calls = [];
const realSetTimeout = setTimeout;
const rec = (name, value) => function () { calls.push(name); return typeof value === 'function' ? value() : value; };
for (const name of ['setTimeout', 'setInterval', 'setImmediate']) globalThis[name] = rec(name, 0);
globalThis.fetch = rec('fetch', () => new Promise(() => {}));
for (const name of ['WebSocket', 'EventSource', 'XMLHttpRequest']) {
  globalThis[name] = class { constructor() { calls.push(name); } };
}
Math.random = rec('Math.random', 0.5);
Object.defineProperty(globalThis.crypto, 'getRandomValues', { value: rec('crypto.getRandomValues', undefined) });
Object.defineProperty(globalThis.crypto, 'randomUUID', { value: rec('crypto.randomUUID', '00000000-0000-4000-8000-000000000000') });

const [file, format, entry] = process.argv.slice(-3);
const mod = format === 'cjs' ? (await import('node:module')).createRequire(file)(file) : await import(new URL('file://' + file).href);
const loaded = calls.splice(0);
await new Promise((resolve) => realSetTimeout(resolve, 20));
const afterTick = calls.splice(0);
const key = 'API_KEY_probe_0123456789';
if (entry === 'index') new mod.AuiClient({ apiKey: key, baseUrl: 'http://127.0.0.1:9/api' });
if (entry === 'server') mod.createAuiHandler({ apiKey: key, baseUrl: 'http://127.0.0.1:9/api', authorize: () => null });
if (entry === 'browser') mod.createProxyClient({ url: 'http://127.0.0.1:9/api/aui' });
if (entry === 'server/cloudflare') mod.durableObjectCounter({ idFromName: (name) => name, get: () => ({ fetch: () => new Promise(() => {}) }) });
await new Promise((resolve) => realSetTimeout(resolve, 20));
console.log(JSON.stringify({ loaded, afterTick, construct: calls }));
`;

describe('module scope of the web entries: no timer, no I/O, no random value', () => {
  for (const entry of ['index', 'server', 'server/cloudflare', 'browser', 'ai'] as const) {
    for (const format of ['js', 'cjs'] as const) {
      test(`dist/${entry}.${format}: importing it (and building its client) calls nothing`, async () => {
        const file = join(DIST, `${entry}.${format}`);
        const { stdout } = await run(
          process.execPath,
          ['--input-type=module', '-e', PROBE, '--', file, format, entry],
          { cwd: ROOT },
        );
        const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, string[]>;
        assert.deepEqual(result, { loaded: [], afterTick: [], construct: [] });
      });
    }
  }
});

/* ------------------------------------------------------------------ the tarball */

describe('the packed tarball', () => {
  let scratch: string;
  let tarball: string;
  let installed: string;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'aui-package-'));
    const { stdout } = await run('npm', ['pack', '--json', '--silent', '--pack-destination', scratch], {
      cwd: ROOT,
    });
    tarball = join(scratch, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
    installed = join(scratch, 'app');
    await mkdir(installed);
    await writeFile(
      join(installed, 'package.json'),
      JSON.stringify({ name: 'aui-package-check', private: true }),
    );
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--loglevel=error',
        tarball,
      ],
      { cwd: installed },
    );
  });
  after(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** Runs a tool; resolves with its output, rejects with it (as the assertion message) on a non-zero exit. */
  async function tool(command: string, args: string[], cwd = ROOT): Promise<string> {
    try {
      const { stdout, stderr } = await run(command, args, {
        cwd,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      return stdout + stderr;
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      assert.fail(`${[command, ...args].join(' ')} exited ${e.code}:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  }

  test('publint --strict passes', async () => {
    const output = await tool(join(BIN, 'publint'), ['--strict', tarball]);
    assert.match(output, /All good/);
  });

  test('@arethetypeswrong/cli passes (every entry, node10/node16 CJS+ESM/bundler)', async () => {
    const output = await tool(join(BIN, 'attw'), ['--format', 'table-flipped', tarball]);
    assert.match(output, /No problems found/);
  });

  // What require() and import() must both find in each entry (typeof of each export).
  const ENTRY_EXPORTS = {
    main: { AuiClient: 'function', AuthenticationError: 'function', MessageStream: 'function' },
    server: { createAuiHandler: 'function' },
    serverNode: { toNodeListener: 'function' },
    serverRedis: { redisCounter: 'function' },
    serverCloudflare: { durableObjectCounter: 'function', AuiTurnCounterObject: 'function' },
    browser: { createProxyClient: 'function', AuthenticationError: 'function' },
    mock: { startMockAui: 'function' },
    ai: { toUIMessageStream: 'function' },
  };

  test('require() of every entry works on this Node, and require("aui-messaging") exports AuiClient', async () => {
    const script = `
      const shape = (m, names) => Object.fromEntries(names.map((n) => [n, typeof m[n]]));
      console.log(JSON.stringify({
        main: shape(require('aui-messaging'), ['AuiClient', 'AuthenticationError', 'MessageStream']),
        server: shape(require('aui-messaging/server'), ['createAuiHandler']),
        serverNode: shape(require('aui-messaging/server/node'), ['toNodeListener']),
        serverRedis: shape(require('aui-messaging/server/redis'), ['redisCounter']),
        serverCloudflare: shape(require('aui-messaging/server/cloudflare'), ['durableObjectCounter', 'AuiTurnCounterObject']),
        browser: shape(require('aui-messaging/browser'), ['createProxyClient', 'AuthenticationError']),
        mock: shape(require('aui-messaging/mock'), ['startMockAui']),
        ai: shape(require('aui-messaging/ai'), ['toUIMessageStream']),
        file: require.resolve('aui-messaging'),
      }));`;
    const result = JSON.parse(await tool(process.execPath, ['-e', script], installed));
    assert.deepEqual(result, {
      ...ENTRY_EXPORTS,
      file: join(installed, 'node_modules', 'aui-messaging', 'dist', 'index.node.cjs'),
    });
  });

  test('import() of every entry works on this Node', async () => {
    const script = `
      const shape = (m, names) => Object.fromEntries(names.map((n) => [n, typeof m[n]]));
      console.log(JSON.stringify({
        main: shape(await import('aui-messaging'), ['AuiClient', 'AuthenticationError', 'MessageStream']),
        server: shape(await import('aui-messaging/server'), ['createAuiHandler']),
        serverNode: shape(await import('aui-messaging/server/node'), ['toNodeListener']),
        serverRedis: shape(await import('aui-messaging/server/redis'), ['redisCounter']),
        serverCloudflare: shape(await import('aui-messaging/server/cloudflare'), ['durableObjectCounter', 'AuiTurnCounterObject']),
        browser: shape(await import('aui-messaging/browser'), ['createProxyClient', 'AuthenticationError']),
        mock: shape(await import('aui-messaging/mock'), ['startMockAui']),
        ai: shape(await import('aui-messaging/ai'), ['toUIMessageStream']),
        file: import.meta.resolve('aui-messaging'),
      }));`;
    const result = JSON.parse(await tool(process.execPath, ['--input-type=module', '-e', script], installed));
    assert.deepEqual(result, {
      ...ENTRY_EXPORTS,
      file: `file://${join(installed, 'node_modules', 'aui-messaging', 'dist', 'index.node.js')}`,
    });
  });

  test('an error thrown through aui-messaging/browser is instanceof the class exported by aui-messaging', async () => {
    // The proxy (aui-messaging/server) answers 401 to an unauthorised browser; createProxyClient
    // rebuilds that as AuthenticationError. Checked ESM and CJS, each against both formats' class.
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(process.cwd() + '/');
      const fromEsm = { main: await import('aui-messaging'), server: await import('aui-messaging/server'), browser: await import('aui-messaging/browser') };
      const fromCjs = { main: require('aui-messaging'), server: require('aui-messaging/server'), browser: require('aui-messaging/browser') };
      const thrown = async ({ server, browser }) => {
        const handler = server.createAuiHandler({ apiKey: 'API_KEY_probe_0123456789', baseUrl: 'http://127.0.0.1:9/api', authorize: () => null });
        const client = browser.createProxyClient({ url: 'http://app.test/api/aui', fetch: (input, init) => handler(new Request(input, init)) });
        try { await client.tasks.create(); } catch (error) { return error; }
        throw new Error('tasks.create resolved');
      };
      const out = {};
      for (const [from, mods] of Object.entries({ esm: fromEsm, cjs: fromCjs })) {
        const error = await thrown(mods);
        out[from] = {
          name: error.name,
          status: error.status,
          instanceofEsm: error instanceof fromEsm.main.AuthenticationError,
          instanceofCjs: error instanceof fromCjs.main.AuthenticationError,
          sameClass: Object.getPrototypeOf(error) === (from === 'esm' ? fromEsm : fromCjs).main.AuthenticationError.prototype,
        };
      }
      console.log(JSON.stringify(out));`;
    const result = JSON.parse(await tool(process.execPath, ['--input-type=module', '-e', script], installed));
    const expected = {
      name: 'AuthenticationError',
      status: 401,
      instanceofEsm: true,
      instanceofCjs: true,
      sameClass: true,
    };
    assert.deepEqual(result, { esm: expected, cjs: expected });
  });
});
