import type { TestInfo } from '@playwright/test';
import { en, type Messages } from '../../src/web/app/locales/en';
import { ja } from '../../src/web/app/locales/ja';

export type Lang = 'ja' | 'en';

/** The UI texts of the project's language, so each journey asserts what a user of that language reads. */
export function messagesFor(testInfo: TestInfo): { lang: Lang; m: Messages; locale: string } {
  const lang: Lang = testInfo.project.metadata.lang === 'en' ? 'en' : 'ja';
  return { lang, m: lang === 'en' ? en : ja, locale: lang === 'en' ? 'en-US' : 'ja-JP' };
}

/** Fill i18next-style {{placeholders}}. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(values[k] ?? ''));
}

/** People per language: Japanese names are stored and shown family name first. */
export function people(lang: Lang) {
  return lang === 'ja'
    ? { company: '株式会社テスト商事', admin: '山田 太郎', teammate: '佐藤 花子' }
    : { company: 'Test Trading Inc.', admin: 'Alice Admin', teammate: 'Bob Reader' };
}

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct-horse-battery';
export const TEAMMATE_EMAIL = 'reader@example.com';
export const TEAMMATE_PASSWORD = 'reader-password-123';

/** The other language's texts (for switching language in a test). */
export function otherMessages(lang: Lang): Messages {
  return lang === 'en' ? ja : en;
}
