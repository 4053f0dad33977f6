import i18next from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { en } from './locales/en';
import { ja } from './locales/ja';

export type UiLanguage = 'ja' | 'en';

export const i18n = i18next.createInstance();

// Language: the user's saved choice (applied once the session loads), else the browser's, else Japanese.
void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { ja: { translation: ja }, en: { translation: en } },
    supportedLngs: ['ja', 'en'],
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    fallbackLng: 'ja',
    detection: { order: ['navigator'], caches: [] },
    interpolation: { escapeValue: false },
    returnNull: false,
  });

i18n.on('languageChanged', () => {
  document.documentElement.lang = currentLanguage();
});
document.documentElement.lang = currentLanguage();

export function currentLanguage(): UiLanguage {
  return i18n.resolvedLanguage === 'en' ? 'en' : 'ja';
}

/** The first of the browser's preferred languages that the app speaks, else Japanese. */
export function browserLanguage(): UiLanguage {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const l = tag.toLowerCase();
    if (l.startsWith('ja')) return 'ja';
    if (l.startsWith('en')) return 'en';
  }
  return 'ja';
}

/** Apply a saved choice, or with null the browser's language. */
export function applyLanguage(locale: UiLanguage | null): void {
  const next = locale ?? browserLanguage();
  if (currentLanguage() !== next) void i18n.changeLanguage(next);
}
