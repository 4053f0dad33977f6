import type { Translation } from '../../../app/locales/translation';
import type { homeEn } from './en';

/** ホーム画面の日本語テキスト。 */
export const homeJa: Translation<typeof homeEn> = {
  home: {
    greeting: '{{name}}さん、こんにちは',
    workspace: 'ワークスペース',
    facts: { name: '名前', timeZone: 'タイムゾーン', currency: '通貨', language: '言語', role: 'あなたのロール' },
    recent: '最近の変更',
    recentEmpty: 'まだ変更はありません。',
    seeAll: '監査ログを開く',
  },
};
