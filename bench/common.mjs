// What every benchmark script reports the same way: a true median, and where the run stood
// (date, Node, the build's commit, CPUs, load before and after) so a figure can be traced.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** The middle value; the mean of the two middle values for an even count. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Which source the build came from: HEAD, and whether src/ had uncommitted changes. */
export function buildInfo() {
  try {
    const git = (...args) =>
      execFileSync('git', args, {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        encoding: 'utf8',
      }).trim();
    const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ` + ${dirty} uncommitted src/ change(s)` : ''}`;
  } catch {
    return 'unknown';
  }
}

/** The head of every report; `loadBefore` is os.loadavg() taken when the run started. */
export function runInfo(loadBefore) {
  const load = (values) => values.map((x) => Number(x.toFixed(2)));
  return {
    date: new Date().toISOString(),
    node: process.version,
    build: buildInfo(),
    cpus: os.cpus().length,
    loadavgBefore: load(loadBefore),
    loadavgAfter: load(os.loadavg()),
  };
}
