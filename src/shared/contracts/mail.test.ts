import { describe, expect, it } from 'vitest';
import { renderMergeFields, unknownMergeFields } from './mail.js';

describe('merge fields', () => {
  it('fills Japanese and English names alike, with spaces inside the braces', () => {
    const out = renderMergeFields('{{会社名}} {{ 姓 }}様 / Dear {{first_name}} {{Family_Name}} ({{担当者}})', {
      company: '株式会社サンプル',
      family_name: '山田',
      given_name: '太郎',
      owner: '鈴木',
    });
    expect(out).toBe('株式会社サンプル 山田様 / Dear 太郎 山田 (鈴木)');
  });

  it('leaves a field without a value empty', () => {
    expect(renderMergeFields('{{役職}}{{姓}}', { family_name: '山田', title: null })).toBe('山田');
  });

  it('names each unknown placeholder once, in order', () => {
    expect(unknownMergeFields('{{姓}} {{ニックネーム}}', '{{foo}} {{ニックネーム}} {{today}}')).toEqual(['ニックネーム', 'foo']);
    expect(unknownMergeFields('no placeholders, {single} braces')).toEqual([]);
  });
});
