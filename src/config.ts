import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Limits {
  maxRequestBytes: number;
  maxResourceBytes: number;
  maxXmlDepth: number;
  maxXmlElements: number;
  maxXmlAttributes: number;
}

/** Where the data lives: embedded SQLite under dataDir unless a PostgreSQL URL is given. */
export interface DatabaseConfig {
  /** '' = embedded SQLite; postgres://user:pass@host/db = PostgreSQL. */
  url: string;
  /** Most connections one node opens to PostgreSQL. */
  poolSize: number;
}

/** Who may be told of changes, and for how long (web-hook channels, WebDAV-Push). */
export interface NotificationConfig {
  /** Plain http:// addresses on loopback (a receiver on the same machine). Elsewhere only https://. */
  allowHttpLoopback: boolean;
  /** Addresses in private, link-local or loopback networks; off, a user cannot make the server probe its own network. */
  allowPrivateNetworks: boolean;
  /** Longest life of a watch channel, whatever the client asks. */
  maxChannelSeconds: number;
  /** Longest life of a push registration, whatever the client asks. */
  maxPushSeconds: number;
  /** A notification that keeps failing with a retryable error is dropped after this long. */
  giveUpSeconds: number;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  database: DatabaseConfig;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  limits: Limits;
  authCacheSeconds: number;
  /** The shortest password `npm run user` and the first start accept. */
  minPasswordLength: number;
  /** Behind a reverse proxy: take the client's address from X-Forwarded-For (for login throttling and logs). */
  trustProxy: boolean;
  /** The server's URL as clients reach it ('' = from each request's Host), for absolute URLs it hands out. */
  publicUrl: string;
  /** Days the change log keeps a change; a sync token older than that must sync from the start. */
  syncRetentionDays: number;
  notifications: NotificationConfig;
}

export class ConfigError extends Error {}

const DEFAULT_FILE = fileURLToPath(new URL('../config/default.json', import.meta.url));
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

type Check = (value: unknown) => string | undefined;
const positiveInt: Check = (v) => (Number.isSafeInteger(v) && (v as number) > 0 ? undefined : 'must be a positive integer');
const nonNegativeInt: Check = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'must be a non-negative integer');
const port: Check = (v) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) < 65536 ? undefined : 'must be a port number 0-65535');
const nonEmpty: Check = (v) => (typeof v === 'string' && v !== '' ? undefined : 'must be a non-empty string');
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const httpUrl: Check = (v) => (v === '' || (typeof v === 'string' && /^https?:\/\/[^/]+\/?$/.test(v)) ? undefined : 'must be empty or http(s)://host[:port]');
const databaseUrl: Check = (v) =>
  v === '' || (typeof v === 'string' && /^postgres(ql)?:\/\//.test(v)) ? undefined : 'must be empty (SQLite) or a postgres:// URL';

/** Every setting, its check, and the environment variable that overrides it. */
const SCHEMA: Record<string, { check: Check; env: string }> = {
  host: { check: nonEmpty, env: 'DAVENPORT_HOST' },
  port: { check: port, env: 'DAVENPORT_PORT' },
  dataDir: { check: nonEmpty, env: 'DAVENPORT_DATA_DIR' },
  'database.url': { check: databaseUrl, env: 'DAVENPORT_DATABASE_URL' },
  'database.poolSize': { check: positiveInt, env: 'DAVENPORT_DATABASE_POOL_SIZE' },
  logLevel: { check: (v) => (LOG_LEVELS.includes(v as string) ? undefined : `must be one of ${LOG_LEVELS.join(', ')}`), env: 'DAVENPORT_LOG_LEVEL' },
  'limits.maxRequestBytes': { check: positiveInt, env: 'DAVENPORT_MAX_REQUEST_BYTES' },
  'limits.maxResourceBytes': { check: positiveInt, env: 'DAVENPORT_MAX_RESOURCE_BYTES' },
  'limits.maxXmlDepth': { check: positiveInt, env: 'DAVENPORT_MAX_XML_DEPTH' },
  'limits.maxXmlElements': { check: positiveInt, env: 'DAVENPORT_MAX_XML_ELEMENTS' },
  'limits.maxXmlAttributes': { check: positiveInt, env: 'DAVENPORT_MAX_XML_ATTRIBUTES' },
  authCacheSeconds: { check: nonNegativeInt, env: 'DAVENPORT_AUTH_CACHE_SECONDS' },
  'auth.minPasswordLength': { check: positiveInt, env: 'DAVENPORT_MIN_PASSWORD_LENGTH' },
  publicUrl: { check: httpUrl, env: 'DAVENPORT_PUBLIC_URL' },
  trustProxy: { check: boolean, env: 'DAVENPORT_TRUST_PROXY' },
  'sync.retentionDays': { check: positiveInt, env: 'DAVENPORT_SYNC_RETENTION_DAYS' },
  'notifications.allowHttpLoopback': { check: boolean, env: 'DAVENPORT_NOTIFY_ALLOW_HTTP_LOOPBACK' },
  'notifications.allowPrivateNetworks': { check: boolean, env: 'DAVENPORT_NOTIFY_ALLOW_PRIVATE_NETWORKS' },
  'notifications.maxChannelSeconds': { check: positiveInt, env: 'DAVENPORT_NOTIFY_MAX_CHANNEL_SECONDS' },
  'notifications.maxPushSeconds': { check: positiveInt, env: 'DAVENPORT_NOTIFY_MAX_PUSH_SECONDS' },
  'notifications.giveUpSeconds': { check: positiveInt, env: 'DAVENPORT_NOTIFY_GIVE_UP_SECONDS' },
};

function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
  try {
    return flatten(JSON.parse(text) as Record<string, unknown>);
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Environment values are strings; numeric and boolean settings are parsed (as their defaults' type) so the checks apply. */
function fromEnv(raw: string, like: unknown): unknown {
  if (typeof like === 'number') return raw.trim() === '' ? NaN : Number(raw);
  if (typeof like === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

/**
 * Defaults from config/default.json, then the file in DAVENPORT_CONFIG (or `file`), then
 * DAVENPORT_* variables. An unknown or invalid setting stops start-up, naming it.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, file = env.DAVENPORT_CONFIG): Config {
  const defaults = readJson(DEFAULT_FILE);
  const values = { ...defaults };
  if (file) {
    for (const [k, v] of Object.entries(readJson(file))) {
      if (!(k in SCHEMA)) throw new ConfigError(`unknown setting "${k}" in ${file}`);
      values[k] = v;
    }
  }
  const known = new Set(Object.values(SCHEMA).map((s) => s.env).concat('DAVENPORT_CONFIG', 'DAVENPORT_ADMIN_PASSWORD', 'DAVENPORT_USER_PASSWORD'));
  for (const name of Object.keys(env)) {
    if (name.startsWith('DAVENPORT_') && !known.has(name)) throw new ConfigError(`unknown environment setting ${name}`);
  }
  for (const [key, { env: name }] of Object.entries(SCHEMA)) {
    const raw = env[name];
    if (raw !== undefined) values[key] = fromEnv(raw, defaults[key]);
  }
  for (const [key, { check, env: name }] of Object.entries(SCHEMA)) {
    const problem = check(values[key]);
    if (problem) throw new ConfigError(`invalid setting ${key} (${name}): ${problem}, got ${JSON.stringify(values[key])}`);
  }
  if ((values['limits.maxResourceBytes'] as number) > (values['limits.maxRequestBytes'] as number)) {
    throw new ConfigError('invalid setting limits.maxResourceBytes: must not exceed limits.maxRequestBytes');
  }
  return {
    host: values.host as string,
    port: values.port as number,
    dataDir: values.dataDir as string,
    database: { url: values['database.url'] as string, poolSize: values['database.poolSize'] as number },
    logLevel: values.logLevel as Config['logLevel'],
    authCacheSeconds: values.authCacheSeconds as number,
    minPasswordLength: values['auth.minPasswordLength'] as number,
    publicUrl: (values.publicUrl as string).replace(/\/$/, ''),
    trustProxy: values.trustProxy as boolean,
    syncRetentionDays: values['sync.retentionDays'] as number,
    notifications: {
      allowHttpLoopback: values['notifications.allowHttpLoopback'] as boolean,
      allowPrivateNetworks: values['notifications.allowPrivateNetworks'] as boolean,
      maxChannelSeconds: values['notifications.maxChannelSeconds'] as number,
      maxPushSeconds: values['notifications.maxPushSeconds'] as number,
      giveUpSeconds: values['notifications.giveUpSeconds'] as number,
    },
    limits: {
      maxRequestBytes: values['limits.maxRequestBytes'] as number,
      maxResourceBytes: values['limits.maxResourceBytes'] as number,
      maxXmlDepth: values['limits.maxXmlDepth'] as number,
      maxXmlElements: values['limits.maxXmlElements'] as number,
      maxXmlAttributes: values['limits.maxXmlAttributes'] as number,
    },
  };
}
