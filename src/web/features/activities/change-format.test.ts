import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { en } from '../../app/locales/en';
import { ja } from '../../app/locales/ja';
import { type ChangeContext, describeChange } from './change-format';

async function contextFor(lang: 'ja' | 'en'): Promise<ChangeContext> {
  const i18n = i18next.createInstance();
  await i18n.init({
    lng: lang,
    showSupportNotice: false,
    resources: { ja: { translation: ja }, en: { translation: en } },
    interpolation: { escapeValue: false },
  });
  return {
    t: i18n.t,
    lang,
    timeZone: 'Asia/Tokyo',
    currency: 'JPY',
    userName: (id) => (id === 'u1' ? '山田 太郎' : undefined),
    teamName: (id) => (id === 't1' ? '東京営業' : undefined),
    customField: (key) =>
      key === 'budget'
        ? { type: 'currency', labelJa: '予算', labelEn: 'Budget', options: [] }
        : key === 'rank'
          ? { type: 'select', labelJa: 'ランク', labelEn: 'Rank', options: [{ value: 'a', labelJa: 'A ランク', labelEn: 'Rank A' }] }
          : undefined,
  };
}

const text = (ctx: ChangeContext, field: string, before: unknown, after: unknown) => {
  const v = describeChange({ field, before, after }, ctx);
  return `${v.label}: ${v.text}`;
};

describe('describeChange', () => {
  it('says which tags were added or removed, in words, not as JSON', async () => {
    const ja = await contextFor('ja');
    const en = await contextFor('en');
    expect(text(ja, 'tags', [], ['VIP'])).toBe('タグ: VIP を追加');
    expect(text(en, 'tags', [], ['VIP'])).toBe('Tags: added VIP');
    expect(text(ja, 'tags', ['既存', '休眠'], ['既存', 'VIP'])).toBe('タグ: VIP を追加、休眠 を削除');
    expect(describeChange({ field: 'tags', before: ['a'], after: ['a', 'b'] }, ja)).toMatchObject({
      kind: 'list',
      added: ['b'],
      removed: [],
    });
  });

  it('reads entries written before values were kept as data (bulk request names, JSON text)', async () => {
    const ja = await contextFor('ja');
    expect(text(ja, 'addTags', null, '["VIP"]')).toBe('タグ: VIP を追加');
    expect(text(ja, 'removeTags', null, ['休眠'])).toBe('タグ: 休眠 を削除');
    expect(text(ja, 'emails', null, '[{"address":"a@example.jp","type":"work"}]')).toBe('メールアドレス: なし → a@example.jp (勤務先)');
  });

  it('shows empty as なし / none, never (空)', async () => {
    expect(text(await contextFor('ja'), 'title', null, '部長')).toBe('役職: なし → 部長');
    expect(text(await contextFor('en'), 'title', 'Manager', '')).toBe('Title: Manager → none');
  });

  it('shows enum values through their labels and ids as names', async () => {
    const ja = await contextFor('ja');
    const en = await contextFor('en');
    expect(text(ja, 'emailPermission', 'granted', 'withdrawn')).toBe('メール配信許諾: 許諾 → 撤回');
    expect(text(en, 'gender', null, 'female')).toBe('Gender: none → Female');
    expect(text(ja, 'ownerId', null, 'u1')).toBe('担当者: なし → 山田 太郎');
    expect(text(ja, 'teamId', 't1', 'gone')).toBe('チーム: 東京営業 → （不明なチーム）');
    expect(text(ja, 'company', null, { id: 'c1', name: '株式会社テスト' })).toBe('会社: なし → 株式会社テスト');
    expect(text(ja, 'custom.rank', null, 'a')).toBe('ランク: なし → A ランク');
  });

  it('shows dates in the reader’s format and money in one format with the workspace currency', async () => {
    const ja = await contextFor('ja');
    const en = await contextFor('en');
    expect(text(ja, 'birthday', null, '1985-03-01')).toBe('生年月日: なし → 1985/03/01');
    expect(text(en, 'birthday', null, '1985-03-01')).toBe('Birthday: none → Mar 1, 1985');
    expect(text(ja, 'custom.budget', 100000, 120000)).toBe('予算: ￥100,000 → ￥120,000');
    expect(text(en, 'custom.budget', null, 120000)).toBe('Budget: none → ¥120,000');
    expect(text(ja, 'employeeCount', 1200, 1500)).toBe('従業員数: 1,200 → 1,500');
  });
});
