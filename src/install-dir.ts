// Files the server reads at run time (migrations, the default config, the web UI's
// static files) sit in the installation: the directory holding package.json. Found by
// walking up from this module, so the same code runs from src/ (tsx), dist/ (npm start,
// the container) and a test build, whatever their depth.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findInstallDir(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('package.json not found above the server code');
  }
}

export const INSTALL_DIR = findInstallDir();

/** A path inside the installation, e.g. installPath('migrations', 'sqlite'). */
export function installPath(...parts: string[]): string {
  return path.join(INSTALL_DIR, ...parts);
}
