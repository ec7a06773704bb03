// The `davenport` CLI as a child process (`node --import tsx src/cli/main.ts …`), and the
// server started through it, for the CLI tests. Every wait is bounded; whatever is still
// running when the test file ends is killed.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StoreLocation } from './store.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = path.join(ROOT, 'src/cli/main.ts');
const TSX = import.meta.resolve('tsx');
const CLI_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 60_000;

const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** The environment without the runner's DAVENPORT_* variables, plus `vars`. */
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

function spawnCli(args: string[], vars: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: ROOT, env: envWith(vars), stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  child.once('close', () => children.delete(child));
  return child;
}

/** Runs one command to its end; `stdin` is written and closed (empty when not given, as from /dev/null). */
export function cli(args: string[], vars: Record<string, string>, stdin = ''): Promise<CliRun> {
  const child = spawnCli(args, vars);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin!.end(stdin);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out: davenport ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, CLI_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface ServedChild {
  url: string;
  output(): string;
  /** SIGTERM and wait for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/** `davenport serve` as a child process on a free loopback port; resolves once it answers HTTP. */
export async function serveChild(vars: Record<string, string>): Promise<ServedChild> {
  const port = await freePort();
  const child = spawnCli(['serve'], { DAVENPORT_HOST: '127.0.0.1', DAVENPORT_PORT: String(port), DAVENPORT_LOG_LEVEL: 'warn', ...vars });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${output}`);
    try {
      await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the server did not answer within ${START_TIMEOUT_MS} ms: ${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
