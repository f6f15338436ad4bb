// What test/frameworks/run.mjs prints: one PASS block or FAIL line per app, the markdown table of
// build times and times to first token, and the line of a tool's output that says why it failed.
import { plain } from './checks.mjs';

const ms = (value) => `${Math.round(value)} ms`;
export const seconds = (value) => `${(value / 1000).toFixed(1)} s`;

/** The lines printed for an app that passed. */
export function passLine(app, figures) {
  const build = Object.entries(figures.steps)
    .map(([name, value]) => `${name} ${seconds(value)}`)
    .join(', ');
  const tokens = figures.pages
    .map((page) => `${page.name} ${page.firstTokenMs.map((v) => Math.round(v)).join('/')} ms`)
    .join(', ');
  const sockets = figures.pages.map((page) => `${page.name}: ${page.socketKey}`).join(', ');
  const { files, bytes, responses, responseBytes } = figures.keyCheck;
  return [
    `PASS ${app.name} (${figures.versions.join(', ')})`,
    `    ${build}; ready ${seconds(figures.readyMs)}; first token (turn 1/turn 2) ${tokens}`,
    `    key on the upstream socket: ${sockets}`,
    `    key: 0 hits in ${files} output files (${(bytes / 1e6).toFixed(1)} MB), the logs and ${responses} responses (${(responseBytes / 1e3).toFixed(0)} KB)`,
  ].join('\n');
}

/** The results as the markdown table bench/README.md shows. */
export function markdown(results) {
  const lines = [
    '| app | versions | build | server ready | first token, turn 1 / turn 2 | text updates, turn 1 / turn 2 |',
    '|---|---|---:|---:|---|---|',
  ];
  for (const { app, ok, figures } of results) {
    if (!ok) {
      lines.push(`| ${app.name} | — | failed | | | |`);
      continue;
    }
    const others = Object.entries(figures.steps).filter(([name]) => name !== 'build');
    const build =
      `**${seconds(figures.steps.build)}**` +
      (others.length > 0
        ? ` (+ ${others.map(([name, value]) => `${name} ${seconds(value)}`).join(', ')})`
        : '');
    const tokens = figures.pages.map((p) => `${p.name}: ${p.firstTokenMs.map(ms).join(' / ')}`).join('; ');
    const steps = figures.pages.map((p) => p.textSteps.join(' / ')).join('; ');
    lines.push(
      `| ${app.name} | ${figures.versions.join(', ')} | ${build} | ${seconds(figures.readyMs)} | ${tokens} | ${steps} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const firstLine = (text) =>
  plain(text)
    .split('\n')
    .map((line) => line.trim())
    .find(Boolean) ?? '';

/** The line of a tool's output that says most about its failure: the first error it names. */
export function telling(output) {
  const lines = plain(output ?? '')
    .split('\n')
    .map((line) => line.trim());
  const line = lines.find((l) => /^(\w*Error\b|error\b|✘|✖)|\b\w+Error: /i.test(l));
  return line && line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The last 60 lines of a tool's output, indented under its FAIL line. */
export function indent(text) {
  return plain(text)
    .trimEnd()
    .split('\n')
    .slice(-60)
    .map((line) => `    | ${line}`)
    .join('\n');
}
