// A minimal browser for HTTP-level tests of the web UI: keeps cookies, follows nothing,
// submits forms with the page's CSRF token.

export interface WebResponse {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
}

export class WebClient {
  readonly cookies = new Map<string, string>();
  /** The Set-Cookie headers of the last response, as sent. */
  lastSetCookies: string[] = [];

  constructor(private readonly base: string) {}

  private async send(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}): Promise<WebResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(path, this.base), {
      method, body, redirect: 'manual', headers: { ...headers, ...(cookie ? { Cookie: cookie } : {}) },
    });
    this.lastSetCookies = res.headers.getSetCookie();
    for (const line of this.lastSetCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, text: bytes.toString('utf8'), bytes };
  }

  get(path: string, headers?: Record<string, string>): Promise<WebResponse> {
    return this.send('GET', path, undefined, headers);
  }

  /** A url-encoded form POST with exactly these fields. */
  post(path: string, fields: Record<string, string>): Promise<WebResponse> {
    return this.send('POST', path, new URLSearchParams(fields), { 'Content-Type': 'application/x-www-form-urlencoded' });
  }

  /** A multipart POST (a file upload). */
  upload(path: string, fields: Record<string, string>, file: { field: string; name: string; type: string; data: string | Buffer }): Promise<WebResponse> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set(file.field, new Blob([typeof file.data === 'string' ? file.data : new Uint8Array(file.data)], { type: file.type }), file.name);
    return this.send('POST', path, form);
  }

  /** The CSRF token in a page's forms. */
  static csrf(page: WebResponse): string {
    const m = /name="csrf" value="([^"]+)"/.exec(page.text);
    if (!m) throw new Error(`no CSRF token in the page (status ${page.status})`);
    return m[1]!;
  }

  /** Opens the login page and logs in; returns the start page. */
  async logIn(name: string, password: string): Promise<WebResponse> {
    const login = await this.get('/');
    const res = await this.post('/web/login', { csrf: WebClient.csrf(login), username: name, password });
    if (res.status !== 303) throw new Error(`log-in failed: ${res.status} ${/role="alert">([^<]*)/.exec(res.text)?.[1] ?? ''}`);
    return this.get('/');
  }
}
