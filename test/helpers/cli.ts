// The `davenport` CLI as a child process, and the server started through it, for every
// test that runs the CLI. It runs the compiled CLI (`node dist/cli/main.js`, what the
// `davenport` bin and `npm run cli` run): tsx would cost seconds of start-up per call.
// `npm test` builds first; a test run on its own after an edit is refused while dist is
// older than the sources, so stale code is never tested silently. Every wait is bounded;
// whatever is still running when the test file ends is killed.

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after } from 'node:test';
import { INSTALL_DIR } from '../../src/install-dir.js';
import type { StoreLocation } from './store.js';

export const ROOT = INSTALL_DIR;
const MAIN = path.join(ROOT, 'dist/cli/main.js');
const BUILD_INFO = path.join(ROOT, 'dist/tsconfig.tsbuildinfo');
const CLI_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** The most recently modified TypeScript source (what `tsc -b src` compiles) and its mtime. */
function newestSource(dir: string): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    const candidate = entry.isDirectory() ? newestSource(p)
      : entry.name.endsWith('.ts') || entry.name === 'tsconfig.json' ? { file: p, mtimeMs: statSync(p).mtimeMs } : newest;
    if (candidate.mtimeMs > newest.mtimeMs) newest = candidate;
  }
  return newest;
}

let checkedBuild = false;
/** Throws unless dist holds a build of the current sources (checked once per test file). */
function assertBuilt(): void {
  if (checkedBuild) return;
  let built: number;
  try {
    built = statSync(BUILD_INFO).mtimeMs;
  } catch {
    throw new Error(`the CLI tests run the compiled CLI, and ${BUILD_INFO} is missing: run npm run build`);
  }
  const newest = newestSource(path.join(ROOT, 'src'));
  if (newest.mtimeMs > built) {
    throw new Error(`dist is older than src/ (${path.relative(ROOT, newest.file)} changed since the last build; the CLI tests run the compiled CLI): run npm run build`);
  }
  checkedBuild = true;
}

/** The environment without the runner's DAVENPORT_* variables (unknown ones stop start-up), plus `vars`. */
export function envWith(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DAVENPORT_')) env[k] = v;
  return { ...env, ...vars };
}

/** The variables that point the CLI at a store location. */
export function storeVars(location: Pick<StoreLocation, 'dataDir' | 'databaseUrl'>): Record<string, string> {
  return { DAVENPORT_DATA_DIR: location.dataDir, ...(location.databaseUrl ? { DAVENPORT_DATABASE_URL: location.databaseUrl } : {}) };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running CLI process and what it has printed so far. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<CliExit>;
}

export interface CliOptions {
  /** The working directory (the repository root unless given). */
  cwd?: string;
  /** Written to stdin, which is then closed (empty when not given, as from /dev/null). */
  stdin?: string;
}

/** Starts `davenport ARGS` with the environment `vars`. */
export function spawnCli(args: string[], vars: Record<string, string>, options: CliOptions = {}): CliProcess {
  assertBuilt();
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: options.cwd ?? ROOT, env: envWith(vars), stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin!.end(options.stdin ?? '');
  const exited = new Promise<CliExit>((resolve) => {
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs one command to its end (bounded). */
export async function cli(args: string[], vars: Record<string, string>, options: CliOptions | string = {}): Promise<CliRun> {
  const opts = typeof options === 'string' ? { stdin: options } : options;
  const p = spawnCli(args, vars, opts);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.child.kill('SIGKILL');
      reject(new Error(`timed out: davenport ${args.join(' ')}\nstdout: ${p.stdout()}\nstderr: ${p.stderr()}`));
    }, CLI_TIMEOUT_MS);
  });
  const { code } = await Promise.race([p.exited, timeout]).finally(() => clearTimeout(timer));
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface ServedChild extends CliProcess {
  url: string;
  /** stdout and stderr together. */
  output(): string;
  /** SIGTERM and wait for the exit (SIGKILL after 10 s); how it exited. */
  stop(): Promise<CliExit>;
}

/**
 * `davenport serve` as a child process on a free loopback port (or on `port` when the
 * port comes from elsewhere, e.g. a config file); resolves once it answers HTTP.
 */
export async function serveChild(vars: Record<string, string>, options: { cwd?: string; port?: number } = {}): Promise<ServedChild> {
  const port = options.port ?? (await freePort());
  const p = spawnCli(['serve'], { DAVENPORT_HOST: '127.0.0.1', DAVENPORT_PORT: String(port), ...vars }, { cwd: options.cwd });
  const output = () => p.stdout() + p.stderr();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`the server exited before answering HTTP: ${output()}`);
    try {
      await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        p.child.kill('SIGKILL');
        throw new Error(`the server did not answer within ${START_TIMEOUT_MS} ms: ${output()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    ...p,
    url,
    output,
    async stop() {
      p.child.kill('SIGTERM');
      const killer = setTimeout(() => p.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const exit = await p.exited;
      clearTimeout(killer);
      return exit;
    },
  };
}
