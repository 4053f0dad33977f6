import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestWorkspace, signIn, startTestServer, type TestClient, waitFor } from '../../../../../test/helpers.js';
import type { Person } from '../../../../shared/contracts/customers.js';
import { newId } from '../../../platform/ids.js';
import { importDb, sweepImports } from '../../../platform/import/import.repository.js';
import type { RunningServer } from '../../../server.js';
import { importTuning } from './import.service.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

async function workspace(locale: 'ja' | 'en' = 'ja') {
  const ws = await createTestWorkspace(server, { locale });
  return signIn(server, ws.adminEmail, undefined, locale);
}

async function upload(client: TestClient, body: Buffer | string, query = 'entityType=person&filename=people.csv', type = 'text/csv') {
  return client.request('POST', `/api/v1/imports?${query}`, body, { 'content-type': type });
}

async function waitDone(client: TestClient, id: string, on: RunningServer = server) {
  return waitFor(
    async () => {
      const res = await client.get(`/api/v1/imports/${id}`);
      if (res.body.status === 'failed') throw new Error(`import failed: ${res.body.failure}`);
      return res.body.status === 'completed' ? res.body : undefined;
    },
    {
      // Where the job stood, and what pg-boss made of it (queued, active, retrying), when it did not finish in time.
      describe: async () => ({
        import: (await client.get(`/api/v1/imports/${id}`)).body,
        jobs: (
          await on.database.pool.query(`SELECT name, state, retry_count, started_on, output FROM pgboss.job WHERE data->>'importId' = $1`, [
            id,
          ])
        ).rows,
      }),
    },
  );
}

async function importFile(
  client: TestClient,
  body: Buffer | string,
  options: { type?: string; filename?: string; start?: Record<string, unknown> } = {},
) {
  const up = await upload(client, body, `entityType=person&filename=${options.filename ?? 'people.csv'}`, options.type);
  expect(up.status, JSON.stringify(up.body)).toBe(201);
  const start = await client.post(`/api/v1/imports/${up.body.id}/start`, { mapping: up.body.suggestedMapping, ...options.start });
  expect(start.status, JSON.stringify(start.body)).toBe(202);
  return { upload: up.body, result: await waitDone(client, up.body.id) };
}

async function allPeople(client: TestClient) {
  const res = await client.get('/api/v1/people?limit=500&sort=createdAt');
  return res.body.data as Person[];
}

const cp932Csv = [
  '姓,名,セイ,メイ,メール,電話,携帯,郵便番号,都道府県,市区町村,住所,会社名,役職,生年月日,性別,タグ',
  '山田,太郎,ヤマダ,タロウ,Taro.Yamada@Example.co.jp,03-1234-5678,０９０－１２３４－５６７８,1000001,東京都,千代田区,千代田1-1,株式会社サンプル,部長,昭和60年4月1日,男性,VIP、展示会',
  '鈴木,花子,すずき,はなこ,hanako@example.jp,,080 1111 2222,５３００００１,大阪府,大阪市北区,梅田1-1,(株)サンプル,,1990/05/06,女,',
  '佐藤,次郎,サトウ,ジロウ,not-an-email,,,12345,東京都,,,,,,,',
].join('\r\n');

describe('import', () => {
  it('imports a Shift_JIS (CP932) CSV, normalising names, kana, phones and postal codes, and reports the bad row', async () => {
    const a = await workspace();
    const { upload: up, result } = await importFile(a, iconv.encode(cp932Csv, 'cp932'));
    expect(up.detectedEncoding).toBe('cp932');
    expect(up.format).toBe('csv');
    expect(up.header[0]).toBe('姓');
    expect(up.preview).toHaveLength(3);
    expect(up.suggestedMapping).toMatchObject({
      0: 'familyName',
      1: 'givenName',
      2: 'familyNameKana',
      3: 'givenNameKana',
      4: 'email',
      5: 'phone',
      6: 'mobile',
      7: 'postalCode',
      11: 'companyName',
      13: 'birthday',
    });
    const report = await a.request('GET', `/api/v1/imports/${up.id}/errors.csv`);
    expect(result, String(report.body)).toMatchObject({
      status: 'completed',
      rowsTotal: 3,
      processed: 3,
      created: 2,
      rejected: 1,
      companiesCreated: 1,
    });
    const people = await allPeople(a);
    expect(people).toHaveLength(2);
    const yamada = people.find((p) => p.familyName === '山田');
    if (!yamada) throw new Error('山田 was not imported');
    expect(yamada).toMatchObject({
      givenName: '太郎',
      familyNameKana: 'ヤマダ',
      postalCode: '100-0001',
      prefecture: '東京都',
      birthday: '1985-04-01',
      gender: 'male',
      title: '部長',
      tags: ['VIP', '展示会'],
      company: { name: '株式会社サンプル' },
    });
    expect(yamada.phones).toEqual([
      { label: 'work', number: '03-1234-5678', e164: '+81312345678' },
      { label: 'mobile', number: '090-1234-5678', e164: '+819012345678' },
    ]);
    const suzuki = people.find((p) => p.familyName === '鈴木');
    // (株)サンプル is the same company as 株式会社サンプル.
    expect(suzuki).toMatchObject({
      familyNameKana: 'スズキ',
      givenNameKana: 'ハナコ',
      postalCode: '530-0001',
      gender: 'female',
      company: { id: yamada.company?.id },
    });
    // Found by search like any person made through the API.
    const found = await a.get(`/api/v1/search?q=${encodeURIComponent('やまだ')}`);
    expect(found.body.people.map((p: Person) => p.id)).toEqual([yamada.id]);

    expect(report.status).toBe(200);
    const text = String(report.body);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('エラー理由');
    expect(lines[1]).toContain('佐藤');
    expect(lines[1]).toContain(',4,');
    expect(lines[1]).toContain('メール: メールアドレスが正しくありません');
    expect(lines[1]).toContain('郵便番号: 郵便番号は7桁で入力してください');
  });

  it('imports UTF-8 with BOM, TSV, and reports reasons in English for an English caller', async () => {
    const a = await workspace('en');
    const bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('Last name,First name,Email\nSmith,John,john@example.com\n,Nobody,x@example.com\n'),
    ]);
    const { upload: up, result } = await importFile(a, bom);
    expect(up.detectedEncoding).toBe('utf8');
    expect(up.header).toEqual(['Last name', 'First name', 'Email']);
    expect(result).toMatchObject({ created: 1, rejected: 1 });
    const report = await a.request('GET', `/api/v1/imports/${up.id}/errors.csv`);
    expect(String(report.body)).toContain('Last name: required value is missing');

    const tsv = '氏名\tフリガナ\tメール\n田中 一郎\tタナカ イチロウ\tichiro@example.jp\n';
    const t = await importFile(a, tsv, { type: 'text/tab-separated-values', filename: 'people.tsv' });
    expect(t.upload.format).toBe('tsv');
    expect(t.upload.suggestedMapping).toEqual({ 0: 'fullName', 1: 'fullNameKana', 2: 'email' });
    expect(t.result.created).toBe(1);
    const tanaka = (await allPeople(a)).find((p) => p.familyName === '田中');
    expect(tanaka).toMatchObject({ givenName: '一郎', familyNameKana: 'タナカ', givenNameKana: 'イチロウ' });
  });

  it('imports an XLSX workbook, dates as dates', async () => {
    const a = await workspace();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('顧客');
    ws.addRow(['姓', '名', 'メール', '生年月日', '郵便番号']);
    ws.addRow(['高橋', '誠', 'makoto@example.jp', new Date(Date.UTC(1970, 0, 2)), 1500001]);
    ws.addRow(['伊藤', '愛', 'ai@example.jp', '令和2年3月4日', '150-0002']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const { upload: up, result } = await importFile(a, buf, {
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      filename: 'people.xlsx',
    });
    expect(up.format).toBe('xlsx');
    // A workbook has no text encoding (its ZIP bytes used to be guessed as cp932).
    expect(up.encoding).toBeNull();
    expect(up.detectedEncoding).toBeNull();
    expect(result).toMatchObject({ created: 2, rejected: 0, encoding: null, detectedEncoding: null });
    const people = await allPeople(a);
    expect(people.find((p) => p.familyName === '高橋')).toMatchObject({ birthday: '1970-01-02', postalCode: '150-0001' });
    expect(people.find((p) => p.familyName === '伊藤')).toMatchObject({ birthday: '2020-03-04' });
  });

  it('reads Excel number cells as Excel saves them: a postal code without its leading zero, serial and date-formatted birthdays', async () => {
    const a = await workspace();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('顧客');
    ws.addRow(['姓', '郵便番号', '生年月日', '都道府県']);
    // 0600000 typed into a General cell: Excel keeps the number 600000. A birthday in a General cell is its serial.
    ws.addRow(['北野', 600000, 31138, '北海道']);
    // The serial in a cell formatted as a date, and a date cell in a Japanese era format.
    const formatted = ws.addRow(['南野', 1500001, 31139, '東京都']);
    formatted.getCell(3).numFmt = 'yyyy/m/d';
    const era = ws.addRow(['東野', 10000, new Date(Date.UTC(1990, 4, 6)), '北海道']);
    era.getCell(3).numFmt = '[$-ja-JP]ggge"年"m"月"d"日"';
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const { upload: up, result } = await importFile(a, buf, {
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      filename: 'numbers.xlsx',
    });
    expect(up.suggestedMapping).toMatchObject({ 1: 'postalCode', 2: 'birthday' });
    const report = await a.request('GET', `/api/v1/imports/${up.id}/errors.csv`);
    expect(result, String(report.body)).toMatchObject({ created: 3, rejected: 0 });
    const people = await allPeople(a);
    expect(people.find((p) => p.familyName === '北野')).toMatchObject({ postalCode: '060-0000', birthday: '1985-04-01' });
    expect(people.find((p) => p.familyName === '南野')).toMatchObject({ postalCode: '150-0001', birthday: '1985-04-02' });
    expect(people.find((p) => p.familyName === '東野')).toMatchObject({ postalCode: '001-0000', birthday: '1990-05-06' });
  });

  it('fills empty 都道府県 and 市区町村 from the postal code, for people and companies, and keeps the ones the file has', async () => {
    const a = await workspace();
    const csv = ['姓,郵便番号,都道府県,市区町村', '空欄,100-0001,,', '記入済,0600000,北海道,札幌市', '市だけ,530-0001,,大阪市北区'].join(
      '\r\n',
    );
    const { result } = await importFile(a, csv);
    expect(result).toMatchObject({ created: 3, rejected: 0 });
    const people = await allPeople(a);
    expect(people.find((p) => p.familyName === '空欄')).toMatchObject({ postalCode: '100-0001', prefecture: '東京都', city: '千代田区' });
    expect(people.find((p) => p.familyName === '記入済')).toMatchObject({ prefecture: '北海道', city: '札幌市' });
    expect(people.find((p) => p.familyName === '市だけ')).toMatchObject({ prefecture: '大阪府', city: '大阪市北区' });

    const up = await upload(a, '会社名,郵便番号\n郵便商事,〒１５０－０００２\n', 'entityType=company&filename=companies.csv');
    expect(up.status).toBe(201);
    expect((await a.post(`/api/v1/imports/${up.body.id}/start`, { mapping: up.body.suggestedMapping })).status).toBe(202);
    expect(await waitDone(a, up.body.id)).toMatchObject({ created: 1 });
    const companies = (await a.get('/api/v1/companies?limit=10')).body.data;
    expect(companies.find((c: { name: string }) => c.name === '郵便商事')).toMatchObject({
      postalCode: '150-0002',
      prefecture: '東京都',
      city: '渋谷区',
    });
  });

  it('labels a generic 電話 column by the number (landline, 050, freephone: work; 070/080/090: mobile), keeps an explicit 携帯 column mobile, and exports each in its column', async () => {
    const a = await workspace();
    const csv = [
      '姓,メール,電話,携帯',
      '固定,kotei@example.jp,03-1234-5678,',
      '携帯,keitai@example.jp,090-1234-5678,',
      'アイピー,ip@example.jp,050-1234-5678,',
      'フリー,free@example.jp,0120-123-456,',
      '地方,chihou@example.jp,0467-12-3456,080-2222-3333',
      '明示,meiji@example.jp,,03-9999-0000',
    ].join('\r\n');
    const { result } = await importFile(a, csv);
    expect(result).toMatchObject({ created: 6, rejected: 0 });
    const phonesOf = async (name: string) =>
      (await allPeople(a)).find((p) => p.familyName === name)?.phones.map((p) => [p.label, p.number]);
    expect(await phonesOf('固定')).toEqual([['work', '03-1234-5678']]);
    expect(await phonesOf('携帯')).toEqual([['mobile', '090-1234-5678']]);
    expect(await phonesOf('アイピー')).toEqual([['work', '050-1234-5678']]);
    expect(await phonesOf('フリー')).toEqual([['work', '0120-123-456']]);
    expect(await phonesOf('地方')).toEqual([
      ['work', '0467-12-3456'],
      ['mobile', '080-2222-3333'],
    ]);
    expect(await phonesOf('明示')).toEqual([['mobile', '03-9999-0000']]);

    const res = await a.request('GET', '/api/v1/exports/people?format=csv&columns=familyName,phone,mobile&sort=familyName');
    expect(res.status).toBe(200);
    const rows = String(res.body)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    const byName = Object.fromEntries(rows.slice(1).map(([name, phone, mobile]) => [name, [phone, mobile]]));
    expect(byName).toEqual({
      固定: ['03-1234-5678', ''],
      携帯: ['', '090-1234-5678'],
      アイピー: ['050-1234-5678', ''],
      フリー: ['0120-123-456', ''],
      地方: ['0467-12-3456', '080-2222-3333'],
      明示: ['', '03-9999-0000'],
    });
  });

  it('updates people matched by email and adds the rest (update_matching)', async () => {
    const a = await workspace();
    const existing = await a.post('/api/v1/people', { familyName: '山本', emails: [{ address: 'yamamoto@example.jp' }], tags: ['既存'] });
    const csv = '姓,メール,役職,タグ\n山本,YAMAMOTO@example.jp,課長,新規\n中村,nakamura@example.jp,,\n中村,nakamura@example.jp,主任,\n';
    const { result } = await importFile(a, csv, { start: { mode: 'update_matching', matchOn: 'email' } });
    expect(result).toMatchObject({ created: 1, updated: 2, skipped: 0, rejected: 0 });
    const after = await a.get(`/api/v1/people/${existing.body.id}`);
    expect(after.body).toMatchObject({ title: '課長', tags: ['既存', '新規'], version: 2 });
    const people = await allPeople(a);
    expect(people).toHaveLength(2);
    expect(people.find((p) => p.familyName === '中村')).toMatchObject({ title: '主任' });
  });

  it('skips rows matching an existing person or an earlier row (skip_duplicates)', async () => {
    const a = await workspace();
    await a.post('/api/v1/people', { familyName: '小林', phones: [{ label: 'mobile', number: '090-2222-3333' }] });
    const csv = '姓,携帯\n小林,09022223333\n加藤,090-4444-5555\n加藤,+81 90 4444 5555\n吉田,\n';
    const { result } = await importFile(a, csv, { start: { mode: 'skip_duplicates', matchOn: 'phone' } });
    expect(result).toMatchObject({ created: 2, skipped: 2, rejected: 0 });
    expect((await allPeople(a)).map((p) => p.familyName).sort()).toEqual(['加藤', '吉田', '小林']);
  });

  it('refuses bad input with 4xx and changes nothing', async () => {
    const a = await workspace();
    expect((await upload(a, '')).status).toBe(400);
    expect(
      (
        await upload(
          a,
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
          'filename=x.png',
          'application/octet-stream',
        )
      ).status,
    ).toBe(415);
    expect((await upload(a, '姓\n山田\n', 'entityType=robot')).status).toBe(400);
    const up = await upload(a, '姓,メール\n山田,a@example.jp\n');
    const id = up.body.id;
    const bad = [
      { mapping: { 0: 'familyName', 1: 'nope' } },
      { mapping: { 0: 'familyName', 1: 'familyName' } },
      { mapping: { 0: 'familyName', 5: 'email' } },
      { mapping: { 1: 'email' } },
      { mapping: { 0: 'familyName' }, encoding: 'latin1' },
      { mapping: { 0: 'familyName' }, mode: 'update_matching', matchOn: 'id' },
    ];
    for (const body of bad) {
      const res = await a.post(`/api/v1/imports/${id}/start`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await a.get(`/api/v1/imports/${id}`)).body.status).toBe('uploaded');
    // Another workspace's import is not found.
    const b = await workspace();
    expect((await b.get(`/api/v1/imports/${id}`)).status).toBe(404);
    expect((await b.post(`/api/v1/imports/${id}/start`, { mapping: { 0: 'familyName' } })).status).toBe(404);
    expect((await b.request('GET', `/api/v1/imports/${id}/errors.csv`)).status).toBe(404);
    // Started once; a second start is a conflict.
    expect((await a.post(`/api/v1/imports/${id}/start`, { mapping: { 0: 'familyName' } })).status).toBe(202);
    expect((await a.post(`/api/v1/imports/${id}/start`, { mapping: { 0: 'familyName' } })).status).toBe(409);
    await waitDone(a, id);
  });

  it('does not let a read-only user import', async () => {
    const a = await workspace();
    const { client: reader } = await addUser(server, a, 'readonly');
    expect((await upload(reader, '姓\n山田\n')).status).toBe(403);
  });

  it('uses a saved mapping for a file with the same headers', async () => {
    const a = await workspace();
    const csv = 'Nom,Courriel\nDupont,dupont@example.fr\n';
    const up = await upload(a, csv);
    expect(up.body.suggestedMapping).toEqual({});
    await a.post(`/api/v1/imports/${up.body.id}/start`, { mapping: { 0: 'familyName', 1: 'email' }, saveMappingAs: 'フランス' });
    await waitDone(a, up.body.id);
    const again = await upload(a, csv);
    expect(again.body.suggestedMapping).toEqual({ 0: 'familyName', 1: 'email' });
    expect(again.body.savedMappings.map((m: { name: string }) => m.name)).toEqual(['フランス']);
  });
});

describe('import visibility', () => {
  /** A workspace where members see their own records and managers their team's, with two teams. */
  async function team() {
    const ws = await createTestWorkspace(server);
    const admin = await signIn(server, ws.adminEmail);
    const settings = await admin.get('/api/v1/workspace');
    await admin.patch('/api/v1/workspace', { version: settings.body.version, visibility: { member: 'own', manager: 'team' } });
    const owner = await addUser(server, admin, 'member', '作成 一郎');
    const other = await addUser(server, admin, 'member', '別人 二郎');
    const lead = await addUser(server, admin, 'manager', '同班 三郎');
    const outsider = await addUser(server, admin, 'manager', '他班 四郎');
    expect((await admin.post('/api/v1/teams', { name: '東京', memberIds: [owner.userId, lead.userId] })).status).toBe(201);
    expect((await admin.post('/api/v1/teams', { name: '大阪', memberIds: [other.userId, outsider.userId] })).status).toBe(201);
    const again = async (u: { email: string }) => signIn(server, u.email);
    return { admin, owner: await again(owner), other: await again(other), lead: await again(lead), outsider: await again(outsider) };
  }

  it('shows a job and its error report only to its creator, to users whose visibility covers the creator, and to admins', async () => {
    const { admin, owner, other, lead, outsider } = await team();
    const done = await importFile(owner, '姓,メール\n山田,yamada@example.jp\n佐藤,not-an-email\n');
    const id = done.upload.id;
    const unknown = newId();
    for (const c of [other, outsider]) {
      for (const target of [id, unknown]) {
        const job = await c.get(`/api/v1/imports/${target}`);
        const report = await c.request('GET', `/api/v1/imports/${target}/errors.csv`);
        expect([job.status, report.status], target).toEqual([404, 404]);
        expect(job.body.error.code).toBe('not_found');
        expect(String(report.body)).not.toContain('佐藤');
      }
    }
    for (const c of [owner, lead, admin]) {
      expect((await c.get(`/api/v1/imports/${id}`)).body).toMatchObject({ id, created: 1, rejected: 1 });
      const report = await c.request('GET', `/api/v1/imports/${id}/errors.csv`);
      expect(report.status).toBe(200);
      expect(String(report.body)).toContain('佐藤');
    }
  });

  it('lets only the creator or an admin start an upload; a hidden upload answers 404 like an unknown one, whatever the body', async () => {
    const { admin, owner, other, lead, outsider } = await team();
    const pending = (await upload(owner, '姓,メール\n鈴木,suzuki@example.jp\n')).body.id as string;
    const good = { mapping: { 0: 'familyName', 1: 'email' } };
    const bad = { mapping: { 0: 'familyName', 1: 'nope' } };
    const unknown = newId();
    for (const c of [other, outsider]) {
      for (const target of [pending, unknown]) {
        for (const body of [good, bad, { ...good, encoding: 'cp932' }]) {
          const res = await c.post(`/api/v1/imports/${target}/start`, body);
          expect(res.status, `${target} ${JSON.stringify(body)}`).toBe(404);
          expect(res.body.error.code).toBe('not_found');
        }
      }
    }
    // A manager who may see the upload still may not start it with their own mapping.
    expect((await lead.get(`/api/v1/imports/${pending}`)).status).toBe(200);
    expect((await lead.post(`/api/v1/imports/${pending}/start`, good)).status).toBe(403);
    const untouched = (await owner.get(`/api/v1/imports/${pending}`)).body;
    expect(untouched).toMatchObject({ status: 'uploaded', mapping: null, encoding: 'utf8' });
    // An admin may start it; it stays the creator's import.
    expect((await admin.post(`/api/v1/imports/${pending}/start`, good)).status).toBe(202);
    expect(await waitDone(owner, pending)).toMatchObject({ created: 1 });
    const mine = (await upload(owner, '姓,メール\n田中,tanaka@example.jp\n')).body.id as string;
    expect((await owner.post(`/api/v1/imports/${mine}/start`, good)).status).toBe(202);
    expect(await waitDone(owner, mine)).toMatchObject({ created: 1 });
  });
});

describe('company import', () => {
  it('imports companies, checks the 法人番号 check digit, and updates by email', async () => {
    const a = await workspace();
    const csv = [
      '会社名,会社名カナ,法人番号,業種,従業員数,決算月,メール,電話',
      '株式会社テスト,テスト,1010001000006,製造業,120,3月,info@test.example,03-1234-5678',
      '有限会社サンプル,,1234567890123,,,,,',
    ].join('\n');
    const up = await upload(a, csv, 'entityType=company&filename=companies.csv');
    expect(up.body.suggestedMapping).toEqual({
      0: 'name',
      1: 'nameKana',
      2: 'corporateNumber',
      3: 'industry',
      4: 'employeeCount',
      5: 'fiscalMonth',
      6: 'email',
      7: 'phone',
    });
    await a.post(`/api/v1/imports/${up.body.id}/start`, { mapping: up.body.suggestedMapping });
    expect(await waitDone(a, up.body.id)).toMatchObject({ created: 1, rejected: 1 });
    const report = await a.request('GET', `/api/v1/imports/${up.body.id}/errors.csv`);
    expect(String(report.body)).toContain('法人番号: 法人番号のチェックデジットが正しくありません');
    const list = (await a.get('/api/v1/companies')).body.data;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      name: '株式会社テスト',
      nameKana: 'テスト',
      employeeCount: 120,
      fiscalMonth: 3,
      phones: [{ number: '03-1234-5678' }],
    });
    const again = await upload(a, 'メール,業種\ninfo@test.example,小売業\n', 'entityType=company&filename=c.csv');
    await a.post(`/api/v1/imports/${again.body.id}/start`, { mapping: { 0: 'email', 1: 'industry' }, mode: 'update_matching' });
    expect((await a.post(`/api/v1/imports/${again.body.id}/start`, {})).status).toBe(400);
    expect(await waitDone(a, again.body.id)).toMatchObject({ updated: 1, created: 0, rejected: 0 });
    expect((await a.get(`/api/v1/companies/${list[0].id}`)).body).toMatchObject({ industry: '小売業', name: '株式会社テスト', version: 2 });
  });
});

describe('import across a restart', () => {
  it('resumes from the last committed chunk without duplicating or losing rows', async () => {
    const first = await startTestServer();
    const ws = await createTestWorkspace(first);
    let a = await signIn(first, ws.adminEmail);
    const rows = Array.from({ length: 23 }, (_, i) => `人${i},p${i}@example.jp${i === 7 ? ',bad' : ''}`);
    rows[11] = '人11,not-an-email';
    const csv = `姓,メール\n${rows.join('\n')}\n`;
    importTuning.batchSize = 5;
    let chunks = 0;
    let stopping: Promise<void> | undefined;
    importTuning.afterBatch = async ({ stopped }) => {
      chunks++;
      if (chunks === 1) {
        // The server goes down right after the first chunk committed.
        stopping = first.stop();
        while (!stopped()) await new Promise((r) => setTimeout(r, 5));
      }
    };
    try {
      const up = await upload(a, csv);
      await a.post(`/api/v1/imports/${up.body.id}/start`, { mapping: up.body.suggestedMapping });
      while (!stopping) await new Promise((r) => setTimeout(r, 10));
      await stopping;
      const second = await startTestServer({ databaseUrl: first.databaseUrl });
      try {
        a = await signIn(second, ws.adminEmail);
        const mid = await second.database.pool.query('SELECT count(*)::int AS n FROM people WHERE workspace_id = $1', [ws.workspaceId]);
        expect(mid.rows[0].n).toBeGreaterThanOrEqual(5);
        const result = await waitDone(a, up.body.id, second);
        expect(result).toMatchObject({ status: 'completed', rowsTotal: 23, processed: 23, created: 22, rejected: 1 });
        const { rows: counts } = await second.database.pool.query(
          'SELECT count(*)::int AS n, count(DISTINCT family_name)::int AS d FROM people WHERE workspace_id = $1',
          [ws.workspaceId],
        );
        expect(counts[0]).toEqual({ n: 22, d: 22 });
        const errs = await second.database.pool.query('SELECT row_number FROM import_errors WHERE import_id = $1', [up.body.id]);
        expect(errs.rows.map((r) => Number(r.row_number))).toEqual([13]);
        expect(chunks).toBeGreaterThan(1);
        // Done: the stored file is gone, the report stays.
        const parts = await second.database.pool.query('SELECT count(*)::int AS n FROM import_files WHERE import_id = $1', [up.body.id]);
        expect(parts.rows[0].n).toBe(0);
      } finally {
        await second.stop();
      }
    } finally {
      importTuning.batchSize = 5000;
      importTuning.afterBatch = undefined;
    }
  });
});

describe('import upload limit', () => {
  it('refuses an upload over IMPORT_MAX_MB (from the platform config) with 413 and keeps nothing', async () => {
    const small = await startTestServer({ config: { imports: { maxBytes: 1024 } } });
    try {
      const ws = await createTestWorkspace(small);
      const client = await signIn(small, ws.adminEmail);
      const ok = await upload(client, '姓,名\n山田,太郎\n');
      expect(ok.status).toBe(201);
      const big = await upload(client, `姓,名\n${'山田,太郎\n'.repeat(200)}`);
      expect(big.status).toBe(413);
      expect(big.body.error.code).toBe('payload_too_large');
      expect((await client.get('/api/v1/people/count')).body.count).toBe(0);
    } finally {
      await small.stop();
    }
  });
});

describe('import clean-up', () => {
  it('drops uploads never started after a day, a failed job’s file after a day, and month-old jobs with their rows', async () => {
    const a = await workspace();
    const q = (text: string, values: unknown[]) => server.database.pool.query(text, values);
    const abandoned = (await upload(a, '姓,メール\n放置,a@example.jp\n')).body.id;
    const fresh = (await upload(a, '姓,メール\n新規,b@example.jp\n')).body.id;
    const failed = (await upload(a, '姓,メール\n失敗,c@example.jp\n')).body.id;
    const old = await importFile(a, '姓,メール\n古い,d@example.jp\n太郎,not-an-email\n');
    const recent = await importFile(a, '姓,メール\n最近,e@example.jp\n花子,bad\n');
    await q(`UPDATE import_jobs SET updated_at = now() - interval '25 hours' WHERE id = ANY($1::uuid[])`, [[abandoned, failed]]);
    await q(`UPDATE import_jobs SET status = 'failed', failure = 'test' WHERE id = $1`, [failed]);
    await q(`UPDATE import_jobs SET updated_at = now() - interval '31 days' WHERE id = $1`, [old.upload.id]);

    expect(await sweepImports(importDb(server.database.db))).toEqual({ jobs: 2, fileParts: 1 });
    expect((await a.get(`/api/v1/imports/${abandoned}`)).status).toBe(404);
    expect((await a.get(`/api/v1/imports/${old.upload.id}`)).status).toBe(404);
    expect((await a.get(`/api/v1/imports/${fresh}`)).body.status).toBe('uploaded');
    expect((await a.get(`/api/v1/imports/${failed}`)).body.status).toBe('failed');
    const left = async (table: string, id: string) =>
      (await q(`SELECT count(*)::int AS n FROM ${table} WHERE import_id = $1`, [id])).rows[0].n as number;
    expect([await left('import_files', failed), await left('import_files', fresh)]).toEqual([0, 1]);
    expect([await left('import_errors', old.upload.id), await left('import_errors', recent.upload.id)]).toEqual([0, 1]);
    // The people the old import created stay; only its job row and report are gone.
    expect((await allPeople(a)).map((p) => p.familyName)).toEqual(expect.arrayContaining(['古い', '最近']));
    expect(await sweepImports(importDb(server.database.db))).toEqual({ jobs: 0, fileParts: 0 });
  });
});
