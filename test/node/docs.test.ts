// The documentation cannot rot: every ```ts/```js block of README.md, CONTRIBUTING.md and
// docs/*.md runs as written, in its own Node process, against the built package (`npm run build`
// first): the block is saved under .tmp/docs-snippets/ — inside the repository, so
// `import … from 'aui-messaging'` resolves through the package's own `exports` to dist/, as in an
// app — and its types are stripped by esbuild (nothing else is changed). A block that cannot run
// here (a Next.js route, a Worker, a React page) says so in its info string, ```ts no-run or
// ```tsx no-run, and is still typechecked with every runnable block against dist/'s
// declarations. Besides: every relative link and every repository path named in backticks exists,
// every `npm run <script>` is a script of package.json, and no file in the repository names a
// document that is not in it.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, '.tmp', 'docs-snippets');
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
// A snippet that has not finished by then hangs (a server left open, a turn never ending).
const SNIPPET_TIMEOUT_MS = 30_000;
// tsc over every snippet takes ≈10 s on a quiet machine; a loaded CI runner may need far more.
const TYPECHECK_TIMEOUT_MS = 180_000;
// Pages whose examples are shell commands only (the CLI's are checked against its --help below).
const SHELL_ONLY = new Set(['docs/cli.md']);

/* ------------------------------------------------------------------ reading the pages */

type Kind = 'run' | 'typecheck';

interface Snippet {
  page: string;
  /** The line of the opening fence, 1-based. */
  line: number;
  lang: string;
  kind: Kind;
  code: string;
  /** The file it is saved as, without extension: `README-58`. */
  name: string;
}

interface Fence {
  page: string;
  line: number;
  lang: string;
  flags: string[];
  code: string;
}

const RUNNABLE = new Set(['ts', 'js']);
const CODE = new Set(['ts', 'js', 'tsx']);

function fencesOf(page: string): Fence[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const fences: Fence[] = [];
  let open: Fence | undefined;
  lines.forEach((text, index) => {
    const fence = /^```(.*)$/.exec(text);
    if (!fence) {
      if (open) open.code += `${text}\n`;
      return;
    }
    if (open) {
      fences.push(open);
      open = undefined;
      return;
    }
    const [lang = '', ...flags] = (fence[1] ?? '').trim().split(/\s+/);
    open = { page, line: index + 1, lang, flags, code: '' };
  });
  assert.equal(open, undefined, `${page}: a code block opened on line ${open?.line} is never closed`);
  return fences;
}

function snippetOf(fence: Fence): Snippet {
  const where = `${fence.page}:${fence.line}`;
  const unknown = fence.flags.filter((flag) => flag !== 'no-run');
  assert.deepEqual(unknown, [], `${where}: unknown info string flags (only no-run is known)`);
  const noRun = fence.flags.includes('no-run');
  assert.ok(RUNNABLE.has(fence.lang) || noRun, `${where}: a ${fence.lang} block cannot run: mark it no-run`);
  const name = `${fence.page.replace(/\.md$/, '').replace(/\//g, '-')}-${fence.line}`;
  return { ...fence, kind: noRun ? 'typecheck' : 'run', name };
}

const fences = PAGES.flatMap(fencesOf);
const snippets = fences.filter((fence) => CODE.has(fence.lang)).map(snippetOf);
const toRun = snippets.filter((snippet) => snippet.kind === 'run');

/* ------------------------------------------------------------------ running them */

/** Saves a snippet as TypeScript (for tsc) and, when it runs, as JavaScript (for node). */
async function save(snippet: Snippet): Promise<{ js?: string }> {
  // `export {}` makes every file a module (top-level await, no shared globals between snippets).
  const source = `${snippet.code}\nexport {};\n`;
  const extension = snippet.lang === 'tsx' ? 'tsx' : 'mts';
  await writeFile(join(OUT, `${snippet.name}.${extension}`), source);
  if (snippet.kind !== 'run') return {};
  const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'es2022' });
  const js = join(OUT, `${snippet.name}.mjs`);
  await writeFile(js, code);
  return { js };
}

interface Ran {
  code: number | null;
  output: string;
  timedOut: boolean;
}

/** Runs `node <args>` in `cwd`, killed after `timeout` ms; never rejects. */
function runNode(args: string[], cwd = ROOT, timeout = SNIPPET_TIMEOUT_MS): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  // A snippet must not reach AUI with a real key from the machine running the tests, and its own
  // node:test output is for people (not the serialized stream this runner reads from its children).
  delete env.AUI_NETWORK_API_KEY;
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

/** Typechecks every saved snippet with tsc, against dist/'s declarations (self-reference by name). */
async function typecheck(): Promise<Ran> {
  const tsconfig = {
    compilerOptions: {
      target: 'es2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      lib: ['es2022', 'dom', 'dom.iterable'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      jsx: 'react-jsx',
    },
    include: ['*.mts', '*.tsx', 'ambient.d.ts'],
  };
  const ambient = [
    '// Modules a no-run snippet imports that only exist where it runs.',
    "declare module 'cloudflare:workers' {",
    '  export const env: Record<string, unknown>;',
    '}',
  ].join('\n');
  await writeFile(join(OUT, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  await writeFile(join(OUT, 'ambient.d.ts'), ambient);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  return runNode([tsc, '-p', 'tsconfig.json'], OUT, TYPECHECK_TIMEOUT_MS);
}

await rm(OUT, { recursive: true, force: true });
await mkdir(OUT, { recursive: true });
const saved = new Map<Snippet, { js?: string }>();
for (const snippet of snippets) saved.set(snippet, await save(snippet));
// Started now, so tsc (≈10 s) works while the snippets run.
const typechecked = typecheck();

test('the pages hold snippets: runnable ones in README and in every docs page', () => {
  assert.ok(
    toRun.some((snippet) => snippet.page === 'README.md'),
    'README.md has a runnable snippet',
  );
  for (const page of PAGES.filter((name) => name.startsWith('docs/') && !SHELL_ONLY.has(name))) {
    assert.ok(
      toRun.some((snippet) => snippet.page === page),
      `${page} has a runnable snippet`,
    );
  }
});

describe('every runnable snippet runs as written against the mock', { concurrency: 3 }, () => {
  for (const snippet of toRun) {
    test(`${snippet.page}:${snippet.line}`, async () => {
      const { js } = saved.get(snippet) ?? {};
      assert.ok(js);
      const ran = await runNode([js]);
      const what = ran.timedOut ? `did not finish within ${SNIPPET_TIMEOUT_MS} ms` : `exited ${ran.code}`;
      assert.ok(!ran.timedOut && ran.code === 0, `${snippet.page}:${snippet.line} ${what}:\n${ran.output}`);
    });
  }
});

test('every snippet typechecks against the built declarations (dist/*.d.ts)', async () => {
  const { code, output, timedOut } = await typechecked;
  assert.ok(!timedOut, `tsc did not finish within ${TYPECHECK_TIMEOUT_MS} ms`);
  assert.equal(code, 0, `snippets do not typecheck:\n${withPageLines(output)}`);
});

/** tsc's `README-58.mts(3,7)` as `README.md:61:7`, the line in the page. */
function withPageLines(output: string): string {
  return output.replace(/([\w.-]+)\.(mts|tsx)\((\d+),(\d+)\)/g, (whole, name: string, _ext, line, column) => {
    const snippet = snippets.find((candidate) => candidate.name === name);
    if (!snippet) return whole;
    return `${snippet.page}:${snippet.line + Number(line)}:${column}`;
  });
}

/* ------------------------------------------------------------------ links and names */

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(page: string): Set<string> {
  const text = readFileSync(join(ROOT, page), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.*)$/gm)].map((match) => slug(match[1] ?? '')));
}

/** Prose only: the links and paths inside code blocks are code. */
function proseOf(page: string): string {
  return readFileSync(join(ROOT, page), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

test('every relative link in the pages points to a file (and heading) in the repository', () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    for (const [, target = ''] of proseOf(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? page : relative(ROOT, join(ROOT, dirname(page), path));
      if (!existsSync(join(ROOT, file))) {
        broken.push(`${page}: ${target} (no ${file})`);
        continue;
      }
      if (anchor && file.endsWith('.md') && !anchorsOf(file).has(anchor)) {
        broken.push(`${page}: ${target} (no heading #${anchor} in ${file})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test('every repository path the pages name in backticks exists', () => {
  const missing: string[] = [];
  for (const page of PAGES) {
    const paths = proseOf(page).matchAll(/`((?:src|test|bench|scripts|examples|docs|\.ci)\/[^`\s]*)`/g);
    for (const [, path = ''] of paths) {
      if (path.startsWith('docs/api')) continue; // generated by `npm run docs`
      if (!existsSync(join(ROOT, path))) missing.push(`${page}: ${path}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every `npm run <script>` the pages show is a script of package.json', () => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const unknown: string[] = [];
  for (const page of PAGES) {
    const text = readFileSync(join(ROOT, page), 'utf8');
    for (const [, script = ''] of text.matchAll(/npm run ([\w:.-]+)/g)) {
      if (!(script in scripts)) unknown.push(`${page}: ${script}`);
    }
  }
  assert.deepEqual(unknown, []);
});

test('every `aui-messaging <command>` the pages show is a command of the built CLI', () => {
  const help = execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), '--help'], { encoding: 'utf8' });
  const commands = new Set([...help.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((match) => match[1]));
  assert.ok(commands.has('chat') && commands.has('login'), `no command list in:\n${help}`);
  const unknown: string[] = [];
  for (const page of PAGES) {
    const text = readFileSync(join(ROOT, page), 'utf8');
    for (const [, command = ''] of text.matchAll(/(?:`|^|\$ |npx )aui-messaging ([a-z]+)/gm)) {
      if (!commands.has(command)) unknown.push(`${page}: aui-messaging ${command}`);
    }
  }
  assert.deepEqual(unknown, []);
});

test('no file in the repository names a document that is not in it', () => {
  // Design notes, tooling notes and issue texts live outside the repository: a file that cites
  // them sends its reader nowhere. (This file is left out: it has to spell the patterns.)
  const outside = [/\bDESIGN\b|\bTOOLING\b|\/work\/shared/, /\bissues? \d|\bwire decision \d/i];
  const own = relative(ROOT, fileURLToPath(import.meta.url));
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file !== '' && file !== own && !file.endsWith('package-lock.json'));
  const citing: string[] = [];
  for (const file of files) {
    const path = join(ROOT, file);
    if (!existsSync(path) || statSync(path).size > 2_000_000) continue;
    const text = readFileSync(path, 'utf8');
    if (text.includes('\u0000')) continue; // binary
    text.split('\n').forEach((line, index) => {
      if (outside.some((pattern) => pattern.test(line))) citing.push(`${file}:${index + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(citing, []);
});
