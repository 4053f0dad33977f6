import fc from 'fast-check';
import type pg from 'pg';
import type { App } from '../../src/server/platform/http/app.js';
import { apiRoutesOf, describeRequest, type FuzzRequest, type FuzzRoute, requestArbitrary } from './api-fuzz.js';
import { arbitraryFor, type FuzzContext, toJsonText } from './json-schema-arbitrary.js';

export interface FuzzTarget {
  app: App;
  pool: pg.Pool;
  workspaceId: string;
  adminEmail: string;
  password: string;
  /** Background workers off: any audit row written during a request is that request's (else only rows from its address count). */
  quiet: boolean;
}

export interface FuzzStats {
  requests: number;
  statuses: Record<string, number>;
  routes: Set<string>;
  auditChecks: number;
  failures: string[];
}

/**
 * Routes that cannot be fuzzed as any caller in-process. The realtime stream stays open until the client goes
 * away, and `inject` waits for the end of the response: only refused callers (anonymous, bad credentials) get an
 * answer, so it is fuzzed as those alone.
 */
/** A request that has not been answered in this time is a failure (a hang), not a slow machine. */
const ANSWER_MS = 30_000;

const STREAMING = new Set(['GET /api/v1/realtime']);

/** Routes whose success ends the fuzzer's own session or token: checked afterwards and the credentials renewed. */
const CREDENTIAL_RISK =
  /^(POST \/api\/v1\/auth\/|POST \/api\/v1\/me\/|DELETE \/api\/v1\/me\/|PATCH \/api\/v1\/workspace|PATCH \/api\/v1\/users|POST \/api\/v1\/users|DELETE \/api\/v1\/tokens)/;

export class ApiFuzzer {
  readonly stats: FuzzStats = { requests: 0, statuses: {}, routes: new Set(), auditChecks: 0, failures: [] };
  readonly ctx: FuzzContext = { knownIds: [], hostility: 3 };
  private cookie = '';
  private csrf = '';
  private token = '';
  private ipSeq = 0;
  /** Every n-th request is checked for audit rows written by a rejected request. */
  auditEvery = 4;

  constructor(
    private readonly target: FuzzTarget,
    private readonly progress?: (message: string) => void,
  ) {}

  routes(): FuzzRoute[] {
    return apiRoutesOf(this.target.app).routes;
  }

  /** Sign in as the administrator, mint an admin API token, and create records whose ids the fuzzer reuses. */
  async setup(): Promise<void> {
    await this.target.app.ready();
    this.ctx.refs = apiRoutesOf(this.target.app).refs;
    await this.renewCredentials();
    const ids = new Set<string>();
    const keep = (body: unknown) => {
      const id = (body as { id?: unknown } | null)?.id;
      if (typeof id === 'string') ids.add(id);
    };
    const post = async (url: string, body: unknown) => {
      const res = await this.inject('session', 'POST', url, { contentType: 'application/json', payload: toJsonText(body) });
      if (res.statusCode < 300) keep(res.json());
      return res;
    };
    const person = await post('/api/v1/people', { familyName: '山田', givenName: '太郎', emails: [{ address: 'taro@example.test' }] });
    const company = await post('/api/v1/companies', { name: '株式会社ファズ' });
    const personId = person.json().id as string | undefined;
    await post('/api/v1/deals', { title: '商談 ファズ' });
    await post('/api/v1/leads', { familyName: '佐藤' });
    await post('/api/v1/tasks', { title: '電話する' });
    if (personId) await post('/api/v1/activities', { kind: 'note', body: 'メモ', links: [{ entityType: 'person', entityId: personId }] });
    await post('/api/v1/products', { sku: 'FZ-1', name: '商品', unitPrice: 1000 });
    await post('/api/v1/teams', { name: 'チーム' });
    await post('/api/v1/mail/templates', { name: 'テンプレート', subject: '件名', body: '本文' });
    await post('/api/v1/tokens', { name: 'spare', scopes: ['read'] });
    const companyId = company.json().id as string | undefined;
    if (companyId) await post(`/api/v1/companies/${companyId}/departments`, { name: '営業部' });
    // A member (their id is a valid user id that is not the fuzzer's own).
    const inv = await post('/api/v1/invitations', { email: `member.${Date.now()}@example.test`, role: 'member' });
    const invToken = String(inv.json().url ?? '').split('/invite/')[1];
    if (invToken) {
      const acc = await this.inject('anonymous', 'POST', '/api/v1/invitations/accept', {
        contentType: 'application/json',
        payload: JSON.stringify({ token: invToken, name: '鈴木 花子', password: this.target.password }),
      });
      if (acc.statusCode < 300) keep(acc.json().user ?? acc.json());
    }
    // Every other creation route once with a schema-valid body (ids of whatever gets created are reused).
    const valid: FuzzContext = { ...this.ctx, knownIds: [...ids], hostility: 0 };
    for (const route of this.routes()) {
      if (route.method !== 'POST' || route.params.length || !route.body || /\/auth\/|\/setup|\/me\//.test(route.url)) continue;
      const samples = fc.sample(arbitraryFor(route.body, valid), { seed: 7, numRuns: 3 });
      for (const body of samples) {
        const res = await this.inject('session', 'POST', route.url, { contentType: 'application/json', payload: toJsonText(body) });
        if (res.statusCode < 300) {
          try {
            keep(res.json());
          } catch {
            // not JSON
          }
          break;
        }
      }
    }
    // A few ids of every workspace table (stages, users, views, jobs...), except the fuzzer's own user, sessions and tokens.
    const { pool, workspaceId } = this.target;
    const tables = await pool.query<{ table_name: string }>(
      `SELECT c.table_name FROM information_schema.columns c
        WHERE c.table_schema = 'public' AND c.column_name = 'id'
          AND EXISTS (SELECT 1 FROM information_schema.columns w
                       WHERE w.table_schema = 'public' AND w.table_name = c.table_name AND w.column_name = 'workspace_id')
          AND c.table_name NOT IN ('sessions', 'api_tokens', 'audit_log')`,
    );
    for (const { table_name } of tables.rows) {
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id::text AS id FROM "${table_name}" WHERE workspace_id = $1 ${table_name === 'users' ? 'AND lower(email) <> lower($2)' : 'AND $2::text IS NOT NULL'} LIMIT 3`,
        [workspaceId, this.target.adminEmail],
      );
      for (const r of rows) if (/^[0-9a-f-]{36}$/i.test(r.id)) ids.add(r.id);
    }
    this.ctx.knownIds = [...ids];
  }

  /** A session for the administrator (workspace settings a fuzzed request may have changed are put back first). */
  async renewCredentials(): Promise<void> {
    const { pool, workspaceId } = this.target;
    await pool.query(`UPDATE workspaces SET settings = settings - 'requireTwoFactor' WHERE id = $1`, [workspaceId]);
    const login = await this.target.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: this.target.adminEmail, password: this.target.password },
    });
    if (login.statusCode !== 200) throw new Error(`fuzzer sign-in failed: ${login.statusCode} ${login.body}`);
    this.cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const session = await this.target.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: this.cookie } });
    this.csrf = session.json().csrfToken as string;
    if (!this.token || !(await this.tokenWorks())) {
      const created = await this.inject('session', 'POST', '/api/v1/tokens', {
        contentType: 'application/json',
        payload: JSON.stringify({ name: `fuzz ${Date.now()}`, scopes: ['read', 'write', 'admin'] }),
      });
      if (created.statusCode !== 201) throw new Error(`fuzzer token failed: ${created.statusCode} ${created.body}`);
      this.token = created.json().token as string;
    }
  }

  private async tokenWorks() {
    return (await this.inject('token', 'GET', '/api/v1/auth/session', {})).statusCode === 200;
  }

  private async sessionWorks() {
    const res = await this.inject('session', 'GET', '/api/v1/auth/session', {});
    return res.statusCode === 200 && res.json().user?.email === this.target.adminEmail && res.json().user?.role === 'admin';
  }

  private headersFor(auth: FuzzRequest['auth'], language = 'ja'): Record<string, string> {
    const h: Record<string, string> = { 'accept-language': language };
    if (auth === 'session') Object.assign(h, { cookie: this.cookie, 'x-csrf-token': this.csrf });
    if (auth === 'session-no-csrf') h.cookie = this.cookie;
    if (auth === 'token') h.authorization = `Bearer ${this.token}`;
    if (auth === 'bad-token') h.authorization = 'Bearer crm_0000000000000000000000000000';
    if (auth === 'bad-cookie') h.cookie = 'crm_session=%00%zz; other=1';
    return h;
  }

  private inject(
    auth: FuzzRequest['auth'],
    method: string,
    url: string,
    body: { contentType?: string; payload?: string | Buffer },
    extra: { language?: string; remoteAddress?: string } = {},
  ) {
    const headers = this.headersFor(auth, extra.language);
    if (body.contentType) headers['content-type'] = body.contentType;
    return this.target.app.inject({
      method: method as 'GET',
      url,
      headers,
      remoteAddress: extra.remoteAddress ?? '127.0.0.1',
      ...(body.payload === undefined ? {} : { payload: body.payload }),
    });
  }

  private async auditCount(ip: string): Promise<{ all: number; fromIp: number }> {
    const { rows } = await this.target.pool.query<{ all: string; from_ip: string }>(
      'SELECT count(*) AS all, count(*) FILTER (WHERE ip = $2) AS from_ip FROM audit_log WHERE workspace_id = $1',
      [this.target.workspaceId, ip],
    );
    return { all: Number(rows[0]?.all), fromIp: Number(rows[0]?.from_ip) };
  }

  /** Send one request and check the properties; returns a failure description, or null. */
  async check(req: FuzzRequest): Promise<string | null> {
    const key = `${req.route.method} ${req.route.url}`;
    if (STREAMING.has(key) && (req.auth === 'session' || req.auth === 'session-no-csrf' || req.auth === 'token'))
      req = { ...req, auth: 'anonymous' };
    // Each request from an address of its own: sign-in back-off per address never reaches the fuzzer's own sign-in,
    // and an audit row written by this request is recognisable by its address.
    this.ipSeq += 1;
    const ip = `10.${(this.ipSeq >> 16) & 255}.${(this.ipSeq >> 8) & 255}.${this.ipSeq & 255}`;
    const before = this.ipSeq % this.auditEvery === 0 ? await this.auditCount(ip) : null;
    let res: Awaited<ReturnType<ApiFuzzer['inject']>>;
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<'hang'>((resolve) => {
      timer = setTimeout(() => resolve('hang'), ANSWER_MS);
    });
    try {
      const answer = await Promise.race([
        this.inject(
          req.auth,
          req.route.method,
          req.url,
          { contentType: req.contentType, payload: req.payload },
          { language: req.language, remoteAddress: ip },
        ),
        hang,
      ]);
      if (answer === 'hang') return `no answer within ${ANSWER_MS / 1000} s: ${describeRequest(req)}`;
      res = answer;
    } catch (err) {
      return `request failed without an answer (${(err as Error).message}): ${describeRequest(req)}`;
    } finally {
      clearTimeout(timer);
    }
    this.stats.requests += 1;
    this.stats.routes.add(key);
    const bucket = `${res.statusCode}`;
    this.stats.statuses[bucket] = (this.stats.statuses[bucket] ?? 0) + 1;
    if (res.statusCode >= 500 && !(res.statusCode === 503 && res.headers['retry-after'])) {
      return `${res.statusCode} ${truncate(res.body, 300)} <- ${describeRequest(req)}`;
    }
    if (res.statusCode >= 400) {
      let code: unknown;
      try {
        code = res.json().error?.code;
      } catch {
        code = undefined;
      }
      if (typeof code !== 'string')
        return `${res.statusCode} not in the API error format: ${truncate(res.body, 200)} <- ${describeRequest(req)}`;
      if (before) {
        this.stats.auditChecks += 1;
        const after = await this.auditCount(ip);
        const changed = after.fromIp !== before.fromIp || (this.target.quiet && after.all !== before.all);
        if (changed) return `${res.statusCode} ${code} but wrote ${after.all - before.all} audit row(s): ${describeRequest(req)}`;
      }
    }
    if (res.statusCode < 300 && CREDENTIAL_RISK.test(key) && !((await this.sessionWorks()) && (await this.tokenWorks())))
      await this.renewCredentials();
    return null;
  }

  /** Is the server still answering (a signed-in read, the session renewed if a fuzzed request ended it)? */
  async alive(): Promise<boolean> {
    if (!(await this.sessionWorks())) await this.renewCredentials();
    return this.sessionWorks();
  }

  /** Fuzz one route with fast-check; the first failing request (shrunk) is recorded. */
  async fuzzRoute(route: FuzzRoute, options: { seed: number; numRuns: number }): Promise<void> {
    const property = fc.asyncProperty(requestArbitrary(route, this.ctx), async (req) => {
      const failure = await this.check(req);
      if (failure) throw new Error(failure);
    });
    const details = await fc.check(property, { seed: options.seed, numRuns: options.numRuns, endOnFailure: true });
    if (details.failed) {
      const message = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      this.stats.failures.push(`${route.method} ${route.url} (seed ${options.seed}, path ${details.counterexamplePath}): ${message}`);
    }
    this.progress?.(`${route.method} ${route.url}: ${details.numRuns} runs${details.failed ? ' FAILED' : ''}`);
  }

  summary(): string {
    const statuses = Object.entries(this.stats.statuses)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    return `API fuzz: ${this.stats.routes.size} routes, ${this.stats.requests} requests, ${this.stats.auditChecks} audit checks, statuses ${statuses}, ${this.stats.failures.length} failing routes`;
  }
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);
