import { accountsJa } from '../../features/accounts/locales/ja';
import { activitiesJa, notificationsJa } from '../../features/activities/locales/ja';
import { mailJa } from '../../features/activities/locales/mail.ja';
import { taskNotificationKindsJa, tasksJa } from '../../features/activities/locales/tasks.ja';
import { auditJa } from '../../features/audit/locales/ja';
import { commerceJa } from '../../features/commerce/locales/ja';
import { customersJa } from '../../features/customers/locales/ja';
import { homeJa } from '../../features/home/locales/ja';
import { assignmentJa, assignmentNotificationKindsJa } from '../../features/sales/locales/assignment.ja';
import { salesJa } from '../../features/sales/locales/ja';
import { securityJa } from '../../features/security/locales/ja';
import { settingsJa } from '../../features/settings/locales/ja';
import type { Messages } from './en';

/** 日本語の UI テキスト。キーは en.ts と完全に一致させる（型で検査）。 */
export const ja: Messages = {
  app: { name: 'CRM', loading: '読み込み中…', skipToContent: '本文へ移動' },
  common: {
    save: '保存',
    saved: '保存しました',
    cancel: 'キャンセル',
    create: '作成',
    delete: '削除',
    rename: '名前を変更',
    revoke: '取り消す',
    copy: 'コピー',
    copied: 'コピーしました',
    close: '閉じる',
    none: '—',
    never: 'なし',
    optional: '任意',
    retry: '再試行',
    loadMore: 'さらに読み込む',
    noResults: '見つかりません',
    actions: '操作',
    confirmDelete: '「{{name}}」を削除しますか？ 元に戻せません。',
  },
  errors: {
    network: 'サーバーに接続できません。ネットワークを確認してください。',
    unexpected: '予期しないエラーが発生しました。',
    forbiddenTitle: '権限がありません',
    forbidden: 'このページを開く権限がありません。',
    notFoundTitle: 'ページが見つかりません',
    notFound: 'このアドレスのページはありません。',
    backHome: 'ホームへ戻る',
    passwordMismatch: 'パスワードが一致しません。',
    passwordTooShort: '10 文字以上で入力してください。',
  },
  nav: {
    main: 'メインナビゲーション',
    home: 'ホーム',
    users: 'ユーザーとチーム',
    audit: '監査ログ',
    settings: '設定',
    people: '顧客',
    companies: '会社',
    duplicates: '重複チェック',
    import: 'インポート',
    toggle: 'ナビゲーションの開閉',
  },
  search: {
    placeholder: '検索',
    label: 'ページ・ユーザー・顧客を検索',
    shortcut: 'Ctrl+K',
    pages: 'ページ',
    users: 'ユーザー',
    empty: '一致するものはありません',
    hint: 'ページ名、ユーザー名、顧客の氏名・フリガナ・メール・電話番号を入力',
  },
  /** 各インポート画面の「最近のインポート」欄（ui/recent-imports.tsx）。見出し・空の表示・件数の内訳は各機能が持つ。 */
  imports: {
    file: 'ファイル',
    who: '実行者',
    when: '日時',
    status: '状態',
    states: {
      uploading: 'アップロード中',
      uploaded: 'アップロード済み',
      queued: '開始待ち',
      running: '実行中',
      completed: '完了',
      failed: '失敗',
    },
    result: '結果',
    report: 'エラー行',
    reportLink: 'CSV',
    reportFor: '{{file}} のエラー行をダウンロード（CSV）',
    counts: '{{processed}} 行：{{summary}}、エラー {{rejected}}',
  },
  live: { live: 'ライブ', offline: 'オフライン', connecting: '接続中', title: 'リアルタイム更新: {{state}}' },
  userMenu: {
    open: 'ユーザーメニュー',
    profile: 'プロフィールと設定',
    language: '言語',
    theme: 'テーマ',
    signOut: 'ログアウト',
  },
  language: { ja: '日本語', en: 'English', browser: 'ブラウザの設定' },
  theme: { auto: '自動', light: 'ライト', dark: 'ダーク' },
  roles: { admin: '管理者', manager: 'マネージャー', member: 'メンバー', readonly: '閲覧のみ' },
  status: { active: '有効', disabled: '無効' },
  ...accountsJa,
  ...homeJa,
  ...settingsJa,
  audit: { ...auditJa, actions: { ...auditJa.actions, ...securityJa.audit } },
  customers: customersJa,
  tasks: tasksJa,
  sales: salesJa,
  assignment: assignmentJa,
  commerce: commerceJa,
  activities: activitiesJa,
  notifications: {
    ...notificationsJa,
    kinds: { ...notificationsJa.kinds, ...mailJa.notifications, ...taskNotificationKindsJa, ...assignmentNotificationKindsJa },
  },
  mail: mailJa,
  security: securityJa,
};
