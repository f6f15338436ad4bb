// The app is nested in the aui-messaging repository, whose own package-lock.json would otherwise
// make Next.js take the repository as the workspace root (and warn): the root is this folder.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
const config = {
  turbopack: { root: here },
  outputFileTracingRoot: here,
};

export default config;
