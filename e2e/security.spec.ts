import { expect, type Page, test } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { ADMIN_EMAIL, ADMIN_PASSWORD, fill, type Lang, messagesFor, people } from './support/messages';
import { afterPlatformSpec } from './support/run-order';

// Runs after platform.spec.ts in each project. A user of its own turns two-step verification on, so the
// administrator the other journeys sign in as is never asked for a code.

const PASSWORD = 'two-step journey password';

async function post(page: Page, url: string, data: unknown) {
  const session = await (await page.request.get('/api/v1/auth/session')).json();
  const res = await page.request.post(url, { data, headers: { 'x-csrf-token': session.csrfToken as string } });
  expect(res.status(), `${url} ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

/** The administrator's part goes through the API (set up first when this file runs alone): the journey is the user's. */
async function signInAdminByApi(page: Page, lang: Lang) {
  if ((await (await page.request.get('/api/v1/setup')).json()).needsSetup) {
    const names = people(lang);
    const data = { workspaceName: names.company, adminName: names.admin, adminEmail: ADMIN_EMAIL, password: ADMIN_PASSWORD, locale: lang };
    expect((await page.request.post('/api/v1/setup', { data })).status()).toBe(201);
  }
  const res = await page.request.post('/api/v1/auth/login', { data: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  expect(await res.json()).toEqual({ status: 'signed_in' });
}

/** The authenticator app: the code of the given moment for the key shown on screen. */
const codeFor = (key: string, at = Date.now()) => TOTP.generate({ secret: Secret.fromBase32(key), timestamp: at });

test('a user turns on two-step verification, then signs in with a code from the app', async ({ page, browser }, testInfo) => {
  test.setTimeout(120_000);
  const { lang, m, locale } = messagesFor(testInfo);
  const s = m.security;
  await afterPlatformSpec(lang);

  const email = `two-step-${lang}-${Date.now().toString(36)}@example.com`;
  const name = lang === 'ja' ? '高橋 二段' : 'Tess Twostep';
  const context = await browser.newContext({ locale, timezoneId: 'Asia/Tokyo' });
  const user = await context.newPage();
  await test.step('an administrator invites the user, who joins', async () => {
    await signInAdminByApi(page, lang);
    const { url } = await post(page, '/api/v1/invitations', { email, role: 'member' });
    const token = String(url).split('/invite/')[1];
    // Accepted in the user's own browser, which it signs in.
    const res = await user.request.post('/api/v1/invitations/accept', { data: { token, name, password: PASSWORD, locale: lang } });
    expect(res.status()).toBe(201);
  });

  const signInWithPassword = async () => {
    await expect(user.getByRole('heading', { name: m.login.title })).toBeVisible({ timeout: 30_000 });
    await user.getByLabel(m.login.email).fill(email);
    await user.getByRole('textbox', { name: m.login.password, exact: true }).fill(PASSWORD);
    await user.getByRole('button', { name: m.login.submit }).click();
  };

  let key = '';
  await test.step('Settings → Security: scan the QR code, confirm with a code, keep the recovery codes', async () => {
    await user.goto('/settings?tab=security');
    const card = user.getByTestId('two-factor-card');
    await expect(card.getByRole('heading', { name: s.twoFactor.title })).toBeVisible({ timeout: 30_000 });
    await expect(card.getByText(s.twoFactor.off, { exact: true })).toBeVisible();
    await card.getByRole('button', { name: s.twoFactor.setUp }).click();
    await expect(card.getByRole('img', { name: s.twoFactor.qrAlt })).toBeVisible();
    key = await card.getByRole('textbox', { name: s.twoFactor.key }).inputValue();
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    await card.getByRole('textbox', { name: s.code }).fill('000000');
    await card.getByRole('button', { name: s.twoFactor.enable }).click();
    await expect(card.getByRole('alert')).toContainText(
      lang === 'ja' ? '確認コードが正しくないか、すでに使われています。' : 'The code is wrong or was already used.',
    );
    await card.getByRole('textbox', { name: s.code }).fill(codeFor(key));
    await card.getByRole('button', { name: s.twoFactor.enable }).click();
    await expect(card.getByText(s.twoFactor.recoveryTitle)).toBeVisible();
    await expect(card.getByTestId('recovery-codes').getByText(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/)).toHaveCount(10);
    await card.getByRole('button', { name: s.twoFactor.recoveryDone }).click();
    await expect(card.getByText(s.twoFactor.on, { exact: true })).toBeVisible();
    await expect(card.getByText(fill(s.twoFactor.codesLeft, { count: 10 }))).toBeVisible();
    // This browser is listed, marked as the current one.
    await expect(user.getByTestId('sessions-table').getByText(s.sessions.current)).toBeVisible();
  });

  await test.step('signing in again asks for the code after the password', async () => {
    await user.getByTestId('user-menu').click();
    await user.getByRole('menuitem', { name: m.userMenu.signOut }).click();
    await signInWithPassword();
    await expect(user.getByRole('heading', { name: s.signIn.totpTitle })).toBeVisible({ timeout: 30_000 });
    // The code used to turn it on cannot be used again: the next one from the app (within the allowed drift) is.
    await user.getByRole('textbox', { name: s.code }).fill(codeFor(key, Date.now() + 30_000));
    await user.getByRole('button', { name: s.signIn.verify }).click();
    await expect(user.getByRole('heading', { name: fill(m.home.greeting, { name }) })).toBeVisible({ timeout: 30_000 });
  });

  await test.step('the administrator sees two-step verification on for the user', async () => {
    await page.goto('/users');
    const row = page.getByTestId('users-table').locator(`tr[data-user-email="${email}"]`);
    await expect(row.getByText(s.twoFactor.on, { exact: true })).toBeVisible({ timeout: 30_000 });
  });
  await context.close();
});
