// Brute force meets resistance, and refusals do not tell which user names exist
// (src/http/login-throttle.ts, src/http/auth.ts). Addresses are told apart through
// X-Forwarded-For, which the server trusts here as it would behind a reverse proxy.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALICE, BOB, startTestServer, type TestServer } from './helpers/server.js';
import { propfindBody } from './helpers/xml.js';

describe('login throttling and timing', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ DAVENPORT_TRUST_PROXY: 'true' });
  });
  after(() => s.close());

  const login = (name: string, password: string, address: string) =>
    s.request('PROPFIND', `/dav/principals/${name}/`, {
      user: { name, password },
      headers: { Depth: '0', 'X-Forwarded-For': address },
      body: propfindBody('<D:resourcetype/>'),
    });

  it('a name under attack is locked with 429 and Retry-After, and its owner is back in soon after the attack stops', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await login(ALICE.name, `wrong-${i}`, `10.0.0.${i}`)).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401), 'the first failures are only refused');
    assert.equal(statuses[11], 429, 'then the name is locked, whatever the address');

    const locked = await login(ALICE.name, ALICE.password, '10.9.9.9');
    assert.equal(locked.status, 429, 'even the right password waits');
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
    assert.equal((await login(BOB.name, BOB.password, '10.9.9.9')).status, 207, 'other users are not affected');

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    assert.equal((await login(ALICE.name, ALICE.password, '10.9.9.9')).status, 207, 'the owner is back in');
  });

  it('an address that keeps failing is locked for every name, other addresses are not', async () => {
    const attacker = '192.0.2.66';
    // At once, as an attacker would: each failure past the fifth is slowed, not queued behind the others.
    const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => login(`nobody-${i}`, 'guess', attacker)));
    assert.ok(guesses.every((r) => r.status === 401 || r.status === 429));
    const status = (await login('nobody-else', 'guess', attacker)).status;
    assert.equal(status, 429);
    assert.equal((await login(BOB.name, BOB.password, attacker)).status, 429);
    assert.equal((await login(BOB.name, BOB.password, '192.0.2.67')).status, 207);
    const api = await s.request('GET', '/calendar/v3/users/me/calendarList', { user: BOB, headers: { 'X-Forwarded-For': attacker } });
    assert.equal(api.status, 429, 'the JSON API is throttled alike');
    assert.equal(JSON.parse(api.text).error.errors[0].reason, 'rateLimitExceeded');
    assert.ok(api.headers.get('retry-after'));
  });

  it('a wrong password takes as long for a name that does not exist as for one that does', async () => {
    const time = async (name: string, i: number) => {
      const started = performance.now();
      assert.equal((await login(name, 'not-the-password', `198.51.100.${i}`)).status, 401);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await time(BOB.name, i));
      unknown.push(await time(`ghost-${i}`, 10 + i));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    // bcrypt dominates both (~100 ms at cost 11); a refusal without it took ~4 ms.
    assert.ok(median(unknown) > median(known) * 0.5, `unknown ${median(unknown).toFixed(0)} ms, known ${median(known).toFixed(0)} ms`);
  });
});
