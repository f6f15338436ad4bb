// The framework builds' child processes (test/frameworks/run.mjs): each started in a process
// group of its own, its output kept, and stopped with everything it started (next start's
// workers, wrangler's workerd) — on success, failure, timeout or Ctrl-C alike.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Every child started and not yet stopped. */
const running = new Set();

/**
 * Starts `command args` in its own process group. The child gets `output` (stdout and stderr as
 * they came, capped) and `exited` (a promise of `{ code, signal }`).
 */
export function start(command, args, { cwd, env = {}, echo = false }) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.output = '';
  const collect = (chunk) => {
    if (child.output.length < 2_000_000) child.output += chunk.toString();
    if (echo) process.stdout.write(chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  child.exited = new Promise((resolve) => {
    child.once('error', (error) => {
      child.output += `\ncould not start ${command}: ${error.message}\n`;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  running.add(child);
  return child;
}

/** Runs a command to its end; resolves with its output, rejects with it when the exit code is not 0. */
export async function run(command, args, { cwd, env, timeoutMs, echo }) {
  const child = start(command, args, { cwd, env, echo });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stop(child);
  }, timeoutMs);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  await stop(child);
  if (timedOut)
    throw withOutput(
      new Error(`${command} ${args.join(' ')}: no end after ${timeoutMs / 1000} s`),
      child.output,
    );
  if (code !== 0)
    throw withOutput(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}`), child.output);
  return child.output;
}

/** An error that carries a process's output, for the report under a FAIL line. */
export function withOutput(error, output) {
  error.output = output;
  return error;
}

/** SIGTERM to the child's group and every descendant, SIGKILL to whatever is left after 5 s. */
export async function stop(child) {
  if (!running.has(child)) return;
  if (child.pid) {
    const pids = new Set([child.pid, ...descendants(child.pid), ...groupMembers(child.pid)]);
    signal(-child.pid, 'SIGTERM');
    for (const pid of pids) signal(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while ([...pids].some(isAlive) && Date.now() < deadline) await sleep(100);
    signal(-child.pid, 'SIGKILL');
    for (const pid of pids) if (isAlive(pid)) signal(pid, 'SIGKILL');
    await Promise.race([child.exited, sleep(1000)]);
  }
  running.delete(child);
}

/** Stops every child still running. */
export async function stopAll() {
  await Promise.allSettled([...running].map(stop));
}

/** A free TCP port on 127.0.0.1 (free when asked; the server that takes it binds it soon after). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Waits until `url` answers (any HTTP status) and resolves with the milliseconds it took; rejects
 * when the server process exits first or `timeoutMs` passes.
 */
export async function waitForHttp(url, child, timeoutMs) {
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw withOutput(new Error(`the server exited before it answered ${url}`), child.output);
    try {
      await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
      return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw withOutput(
        new Error(`the server did not answer ${url} within ${timeoutMs / 1000} s`),
        child.output,
      );
    await sleep(250);
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** pid → { parent, group } for every process (Linux /proc). */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { parent: Number(fields[1]), group: Number(fields[2]) });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/** Every descendant of `pid` still alive (a child may have started a process group of its own). */
function descendants(pid) {
  const table = processTable();
  const found = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, { parent }] of table) {
      if (found.has(parent) && !found.has(child)) {
        found.add(child);
        grew = true;
      }
    }
  }
  found.delete(pid);
  return [...found];
}

/** Processes still in the group `pgid` and their descendants (re-parented to init once the leader exited). */
function groupMembers(pgid) {
  const members = [];
  for (const [pid, { group }] of processTable()) {
    if (group === pgid) members.push(pid, ...descendants(pid));
  }
  return members;
}
