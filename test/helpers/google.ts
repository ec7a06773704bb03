import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { ALICE, type TestServer, type TestUser } from './server.js';

/** Google's own Calendar v3 client, pointed at the test server, signed in with Basic as `user`. */
export function googleCalendar(s: TestServer, user: TestUser = ALICE): calendar_v3.Calendar {
  const authorization = `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;
  return calendar({ version: 'v3', rootUrl: s.url, headers: { Authorization: authorization }, retry: false });
}

/** The status of a request Google's client refused (it throws a GaxiosError). */
export async function statusOf(request: Promise<unknown>): Promise<number> {
  try {
    await request;
  } catch (e) {
    return (e as { status?: number; response?: { status: number } }).response?.status ?? (e as { status: number }).status;
  }
  return 200;
}
