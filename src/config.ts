import { readFileSync } from 'node:fs';
import { installPath } from './install-dir.js';

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

/** iMIP (RFC 6047): invitations to outside attendees by mail, and their replies by mail. */
export interface ImipConfig {
  /** smtp(s)://[user:pass@]host[:port] of the mail server that sends invitations; '' = none (outside attendees get a 5.x status). */
  smtpUrl: string;
  /** The address invitations come from (the organizer's name is its display name), and where replies come back to. */
  from: string;
  /** host:port of the server's own SMTP listener for replies; '' = off (replies go to the organizer: Reply-To). */
  listen: string;
  /** Largest mail the listener takes. */
  maxMessageBytes: number;
  /** Mails the listener takes from one sender (MAIL FROM) per minute; more are deferred (4xx). */
  messagesPerSenderPerMinute: number;
  /** A mail the SMTP server keeps refusing with a temporary error is given up (SCHEDULE-STATUS 5.1) after this long. */
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
  imip: ImipConfig;
  /** How long a web UI sign-in lasts. */
  webSessionSeconds: number;
}

export class ConfigError extends Error {}

const DEFAULT_FILE = installPath('config', 'default.json');
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

type Check = (value: unknown) => string | undefined;
const positiveInt: Check = (v) => (Number.isSafeInteger(v) && (v as number) > 0 ? undefined : 'must be a positive integer');
const nonNegativeInt: Check = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'must be a non-negative integer');
const port: Check = (v) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) < 65536 ? undefined : 'must be a port number 0-65535');
const nonEmpty: Check = (v) => (typeof v === 'string' && v !== '' ? undefined : 'must be a non-empty string');
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const httpUrl: Check = (v) => (v === '' || (typeof v === 'string' && /^https?:\/\/[^/]+\/?$/.test(v)) ? undefined : 'must be empty or http(s)://host[:port]');
const smtpUrl: Check = (v) => (v === '' || (typeof v === 'string' && /^smtps?:\/\/[^/]+\/?$/.test(v)) ? undefined : 'must be empty or smtp(s)://[user:pass@]host[:port]');
const mailAddress: Check = (v) => (v === '' || (typeof v === 'string' && /^[^\s@<>"]+@[^\s@<>"]+$/.test(v)) ? undefined : 'must be empty or a plain e-mail address');
const hostPort: Check = (v) => (v === '' || (typeof v === 'string' && /^(\[[0-9a-fA-F:.]+\]|[^\s:]+):\d{1,5}$/.test(v) && Number(v.slice(v.lastIndexOf(':') + 1)) < 65536) ? undefined : 'must be empty or host:port');
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
  'imip.smtpUrl': { check: smtpUrl, env: 'DAVENPORT_SMTP_URL' },
  'imip.from': { check: mailAddress, env: 'DAVENPORT_IMIP_FROM' },
  'imip.listen': { check: hostPort, env: 'DAVENPORT_IMIP_LISTEN' },
  'imip.maxMessageBytes': { check: positiveInt, env: 'DAVENPORT_IMIP_MAX_MESSAGE_BYTES' },
  'imip.messagesPerSenderPerMinute': { check: positiveInt, env: 'DAVENPORT_IMIP_MESSAGES_PER_SENDER_PER_MINUTE' },
  'imip.giveUpSeconds': { check: positiveInt, env: 'DAVENPORT_IMIP_GIVE_UP_SECONDS' },
  'web.sessionSeconds': { check: positiveInt, env: 'DAVENPORT_WEB_SESSION_SECONDS' },
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

// --- environment variables that are not ours ---
// An orchestrator may set DAVENPORT_* variables of its own: Kubernetes gives every pod
// variables for each service in its namespace, named after the service, so one named
// "davenport" brings DAVENPORT_SERVICE_HOST, DAVENPORT_PORT=tcp://10.0.0.1:8080,
// DAVENPORT_PORT_8080_TCP_ADDR, … Start-up must not stop for them: an unknown variable
// is ignored (and logged, see ignoredEnvironment), as is a DAVENPORT_PORT holding a
// service address. A setting of ours with a malformed value still stops start-up.

const OTHER_VARIABLES = ['DAVENPORT_CONFIG', 'DAVENPORT_ADMIN_PASSWORD', 'DAVENPORT_USER_PASSWORD'];
const OURS = new Set(Object.values(SCHEMA).map((s) => s.env).concat(OTHER_VARIABLES));
/** A Kubernetes service address (DAVENPORT_PORT, DAVENPORT_PORT_8080_TCP). */
const SERVICE_ADDRESS = /^(tcp|udp|sctp):\/\/[^/]+:\d+$/i;
/** The names Kubernetes gives a service's variables (for a service davenport or davenport-*). */
const SERVICE_VARIABLE = /^DAVENPORT(_[A-Z0-9_]+)?_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)$/;

/** Why a DAVENPORT_* variable is not one of our settings, or undefined when it is one (or not DAVENPORT_*). */
function notOurs(name: string, value: string): string | undefined {
  if (!name.startsWith('DAVENPORT_')) return undefined;
  if (name === 'DAVENPORT_PORT' && SERVICE_ADDRESS.test(value.trim())) {
    return 'DAVENPORT_PORT holds a service address (Kubernetes sets it for a service named davenport), not a port number: ignored; set the port in the config file, or enableServiceLinks: false in the pod';
  }
  if (OURS.has(name)) return undefined;
  if (SERVICE_VARIABLE.test(name)) return `${name} looks like a Kubernetes service variable: ignored`;
  return `${name} is not a Davenport setting (a typo?): ignored`;
}

export interface IgnoredVariable {
  name: string;
  reason: string;
  /** Worth a warning: a near-miss of a setting (a typo, DAVENPORT_PORT taken over), not an orchestrator's own variable. */
  warn: boolean;
}

/** The DAVENPORT_* variables loadConfig ignores, for the server to log at start. */
export function ignoredEnvironment(env: NodeJS.ProcessEnv = process.env): IgnoredVariable[] {
  const ignored: IgnoredVariable[] = [];
  for (const [name, value] of Object.entries(env)) {
    const reason = value === undefined ? undefined : notOurs(name, value);
    if (reason) ignored.push({ name, reason, warn: name === 'DAVENPORT_PORT' || !SERVICE_VARIABLE.test(name) });
  }
  return ignored;
}
// --- end environment variables that are not ours ---

/**
 * Defaults from config/default.json, then the file in DAVENPORT_CONFIG (or `file`), then
 * DAVENPORT_* variables. An unknown setting in the file or an invalid value stops start-up,
 * naming it; DAVENPORT_* variables that are not settings are ignored (see notOurs).
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
  for (const [key, { env: name }] of Object.entries(SCHEMA)) {
    const raw = env[name];
    if (raw !== undefined && !notOurs(name, raw)) values[key] = fromEnv(raw, defaults[key]);
  }
  for (const [key, { check, env: name }] of Object.entries(SCHEMA)) {
    const problem = check(values[key]);
    if (problem) throw new ConfigError(`invalid setting ${key} (${name}): ${problem}, got ${JSON.stringify(values[key])}`);
  }
  if ((values['limits.maxResourceBytes'] as number) > (values['limits.maxRequestBytes'] as number)) {
    throw new ConfigError('invalid setting limits.maxResourceBytes: must not exceed limits.maxRequestBytes');
  }
  if ((values['imip.smtpUrl'] !== '' || values['imip.listen'] !== '') && values['imip.from'] === '') {
    throw new ConfigError('invalid setting imip.from (DAVENPORT_IMIP_FROM): needed when imip.smtpUrl or imip.listen is set');
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
    webSessionSeconds: values['web.sessionSeconds'] as number,
    imip: {
      smtpUrl: values['imip.smtpUrl'] as string,
      from: values['imip.from'] as string,
      listen: values['imip.listen'] as string,
      maxMessageBytes: values['imip.maxMessageBytes'] as number,
      messagesPerSenderPerMinute: values['imip.messagesPerSenderPerMinute'] as number,
      giveUpSeconds: values['imip.giveUpSeconds'] as number,
    },
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
