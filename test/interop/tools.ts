// Shared by the interop tests: external programs (bounded), the Debian python, and
// what the server under test advertises.

import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; killed (SIGKILL) after `timeoutMs`. */
export function run(cmd: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * The Debian python (it has the apt-installed python3-caldav / vdirsyncer modules), not
 * whatever `python3` comes first on PATH (e.g. a pyenv shim). Same rule as
 * ../shared/harness/lib.sh (DEB_PY).
 */
export function debianPython(): string {
  if (process.env.DEB_PY) return process.env.DEB_PY;
  try {
    const listed = execFileSync('dpkg', ['-L', 'python3-minimal'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .find((l) => /\/bin\/python3$/.test(l));
    if (listed && existsSync(listed)) return listed;
  } catch {
    // not a Debian system: fall through
  }
  return '/usr/bin/python3';
}

/** The DAV header of OPTIONS on `path` (authenticated), as a list of compliance classes. */
export async function davClasses(base: string, path: string, authorization: string): Promise<string[]> {
  const res = await fetch(new URL(path, base), { method: 'OPTIONS', headers: { Authorization: authorization }, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return (res.headers.get('dav') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
