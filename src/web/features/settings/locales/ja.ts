import type { Translation } from '../../../app/locales/translation';
import type { settingsEn } from './en';

/** 設定（プロフィール・パスワード・API トークン）の日本語テキスト。 */
export const settingsJa: Translation<typeof settingsEn> = {
  settings: {
    title: '設定',
    tabs: {
      profile: 'プロフィール',
      password: 'パスワード',
      security: 'セキュリティ',
      notifications: '通知',
      tokens: 'API トークン',
      workspace: 'ワークスペース',
    },
    name: '氏名',
    email: 'メールアドレス',
    language: '言語',
    theme: 'テーマ',
    currentPassword: '現在のパスワード',
    newPassword: '新しいパスワード',
    confirmPassword: '新しいパスワード（確認）',
    changePassword: 'パスワードを変更',
    passwordChanged: 'パスワードを変更しました',
  },
  tokens: {
    intro: 'API トークンを使うと、他のプログラムがあなたとして API を利用できます。権限は選んだスコープに限られます。',
    create: 'トークンを作成',
    name: 'トークン名',
    scopes: 'スコープ',
    scope: { read: '読み取り', write: '書き込み', admin: '管理' },
    expiry: '有効期限',
    expiryDays: '{{count}} 日後',
    never: '無期限',
    secret: 'トークン',
    secretTitle: 'トークンを今すぐコピーしてください',
    secretHint: 'トークンが表示されるのはこの一度だけです。安全な場所に保管してください。',
    columns: { name: '名前', prefix: 'プレフィックス', scopes: 'スコープ', expires: '有効期限', lastUsed: '最終使用', created: '作成日時' },
    empty: 'API トークンはありません。',
    revoked: '取り消し済み',
    revokeConfirm: 'トークン「{{name}}」を取り消しますか？ これを使うプログラムは動かなくなります。',
  },
  workspaceSettings: {
    basics: 'ワークスペース',
    name: '会社名・ワークスペース名',
    timeZone: 'タイムゾーン',
    language: '既定の言語',
    languageHint: '新しいユーザーとメールの言語。ユーザーごとに変更できます',
    currency: '通貨',
    currencyHint: '受注と顧客ごとの購買合計はこの通貨で記録されます',
    currencyLocked: 'この通貨で受注が登録済みのため、変更できません',
    visibility: 'データの公開範囲',
    visibilityIntro:
      '顧客・見込み客・商談・活動・受注には担当者とチームがあります。他の人が担当するデータを、ロールごとにどこまで表示するかを選びます。',
    visibilities: { all: 'すべてのデータ', team: '自分とチームのデータ', own: '自分のデータのみ' },
    adminSeesAll:
      '管理者は常にすべてのデータを表示できます。新しいワークスペースでは、少人数のチームで顧客を共有できるよう全員が「すべてのデータ」から始まります。',
  },
};
