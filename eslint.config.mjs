// ESLint (flat config) with typescript-eslint's type-checked rules, then Prettier's check:
// `npm run lint`. `npm test` runs it first, so CI enforces both.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// node:test's `test`/`describe` return promises the runner itself awaits.
const testRunnerCalls = [
  {
    from: 'package',
    package: 'node:test',
    name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '**/node_modules/',
      'test-results/',
      'bench/.exp/',
      '.tmp/',
      'docs/api/',
      // The framework apps (npm run test:frameworks): TS/TSX typed by their own installs (next,
      // react-router, wrangler), which npm ci at the root does not bring; their own builds check
      // them (next build's TypeScript step, the React Router app's tsc). The driver's .mjs files
      // in test/frameworks/ are linted.
      'test/frameworks/*/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs', '*.cjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: testRunnerCalls }],
      '@typescript-eslint/no-misused-promises': 'error',
      'no-nested-ternary': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }] },
  },
  {
    // Plain JavaScript (configs, scripts, benchmarks): not in a tsconfig, so no type-checked rules.
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        console: 'readonly',
        process: 'readonly',
        module: 'writable',
        require: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        Buffer: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        WebSocket: 'readonly',
        globalThis: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        queueMicrotask: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
        ReadableStream: 'readonly',
        structuredClone: 'readonly',
        crypto: 'readonly',
        document: 'readonly',
        window: 'readonly',
        location: 'readonly',
        setImmediate: 'readonly',
        __dirname: 'readonly',
        AbortSignal: 'readonly',
      },
    },
  },
  {
    // Tests, benchmarks, scripts and examples read JSON from real servers and drive untyped
    // runtimes (browsers, workerd, child processes): `any` there is the data, not a shortcut.
    files: ['test/**', 'bench/**', 'scripts/**', 'examples/**', '*.mjs', '*.cjs'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
