import { expect, type Page } from '@playwright/test';
import type { Messages } from '../../src/web/app/locales/en';
import { ADMIN_EMAIL, ADMIN_PASSWORD, fill, type Lang, people } from './messages';

/** Make sure the workspace exists (set up through the API when this test runs alone), then sign in as admin. */
export async function signInAsAdmin(page: Page, m: Messages, lang: Lang): Promise<void> {
  const names = people(lang);
  const status = await page.request.get('/api/v1/setup');
  if ((await status.json()).needsSetup) {
    const res = await page.request.post('/api/v1/setup', {
      data: { workspaceName: names.company, adminName: names.admin, adminEmail: ADMIN_EMAIL, password: ADMIN_PASSWORD, locale: lang },
    });
    expect(res.status()).toBe(201);
    await page.context().clearCookies();
  }
  await page.goto('/');
  await expect(page.getByRole('heading', { name: m.login.title })).toBeVisible();
  await page.getByLabel(m.login.email).fill(ADMIN_EMAIL);
  await page.getByRole('textbox', { name: m.login.password, exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: m.login.submit }).click();
  await expect(page.getByRole('heading', { name: fill(m.home.greeting, { name: names.admin }) })).toBeVisible();
}
