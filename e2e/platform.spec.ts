import { expect, type Page, test } from '@playwright/test';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  fill,
  messagesFor,
  otherMessages,
  people,
  TEAMMATE_EMAIL,
  TEAMMATE_PASSWORD,
} from './support/messages';
import { markPlatformDone, markPlatformInRun } from './support/run-order';
import { signInAsAdmin } from './support/session';

// Tests in a file run in order (fullyParallel is off): the journey meets the fresh server's set-up screen first.
// Every other test signs in on its own and sets the workspace up through the API when run alone.

const nav = (page: Page) => page.getByRole('navigation').first();

// Other spec files wait for this one in each project (it needs the server before anyone has set it up).
markPlatformInRun();
test.afterAll(() => markPlatformDone(messagesFor(test.info()).lang));

test('first run: set up, invite a read-only teammate who joins, the admin sees them live, sign in again remembered', async ({
  page,
  browser,
}, testInfo) => {
  const { lang, m, locale } = messagesFor(testInfo);
  const names = people(lang);

  await test.step('the set-up screen creates the workspace and signs the admin in', async () => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: m.setup.title })).toBeVisible();
    await page.getByLabel(m.setup.companyName).fill(names.company);
    await page.getByLabel(m.setup.adminName).fill(names.admin);
    await page.getByLabel(m.setup.email).fill(ADMIN_EMAIL);
    await page.getByRole('textbox', { name: m.setup.password, exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: m.setup.submit }).click();
    await expect(page.getByRole('heading', { name: fill(m.home.greeting, { name: names.admin }) })).toBeVisible();
    await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');
  });

  let inviteUrl = '';
  await test.step('the admin invites a teammate as read-only and gets a link to pass on', async () => {
    await nav(page).getByRole('link', { name: m.nav.users }).click();
    await expect(page.getByRole('heading', { name: m.users.title })).toBeVisible();
    await page.getByRole('tab', { name: m.users.tabs.invitations }).click();
    await page.getByLabel(m.users.inviteEmail).fill(TEAMMATE_EMAIL);
    await page.getByRole('textbox', { name: m.users.inviteRole }).click();
    await page.getByRole('option', { name: m.roles.readonly }).click();
    await page.getByRole('button', { name: m.users.inviteSubmit }).click();
    const link = page.getByRole('textbox', { name: m.users.inviteLink });
    await expect(link).toHaveValue(/\/invite\//);
    inviteUrl = await link.inputValue();
    await expect(page.getByRole('cell', { name: TEAMMATE_EMAIL })).toBeVisible();
    // Back to the users list, which must show the teammate once they join, without a reload.
    await page.getByRole('tab', { name: m.users.tabs.users }).click();
    await expect(page.getByTestId('users-table').getByText(ADMIN_EMAIL)).toBeVisible();
    await expect(page.getByTestId('users-table').getByText(TEAMMATE_EMAIL)).toHaveCount(0);
  });

  const teammateContext = await browser.newContext({ locale, timezoneId: 'Asia/Tokyo' });
  const teammate = await teammateContext.newPage();
  await test.step('the teammate opens the link, chooses name and password and is signed in', async () => {
    await teammate.goto(inviteUrl);
    await expect(teammate.getByRole('heading', { name: fill(m.invite.title, { workspace: names.company }) })).toBeVisible();
    await expect(teammate.getByText(fill(m.invite.intro, { role: m.roles.readonly }))).toBeVisible();
    await expect(teammate.getByLabel(m.invite.email)).toHaveValue(TEAMMATE_EMAIL);
    await teammate.getByLabel(m.invite.name).fill(names.teammate);
    await teammate.getByRole('textbox', { name: m.invite.password, exact: true }).fill(TEAMMATE_PASSWORD);
    await teammate.getByLabel(m.invite.confirm).fill(TEAMMATE_PASSWORD);
    await teammate.getByRole('button', { name: m.invite.submit }).click();
    await expect(teammate.getByRole('heading', { name: fill(m.home.greeting, { name: names.teammate }) })).toBeVisible();
  });

  await test.step('the read-only teammate sees no admin screens and is refused when going there directly', async () => {
    await expect(nav(teammate).getByRole('link', { name: m.nav.home })).toBeVisible();
    await expect(nav(teammate).getByRole('link', { name: m.nav.settings })).toBeVisible();
    await expect(nav(teammate).getByRole('link', { name: m.nav.users })).toHaveCount(0);
    await expect(nav(teammate).getByRole('link', { name: m.nav.audit })).toHaveCount(0);
    await expect(teammate.getByText(m.home.recent)).toHaveCount(0);
    for (const path of ['/users', '/audit']) {
      await teammate.goto(path);
      await expect(teammate.getByRole('heading', { name: m.errors.forbiddenTitle })).toBeVisible();
    }
    // The server refuses too, whatever the screen shows.
    const res = await teammate.request.get('/api/v1/audit');
    expect(res.status()).toBe(403);
    expect((await res.json()).error.message).toBe(
      lang === 'ja' ? 'この操作を行う権限がありません。' : 'You do not have permission to do this.',
    );
  });

  await test.step('the admin sees the new user appear in the list without reloading', async () => {
    const row = page.getByTestId('users-table').locator(`tr[data-user-email="${TEAMMATE_EMAIL}"]`);
    await expect(row).toBeVisible();
    await expect(row).toContainText(names.teammate);
    await expect(row.getByRole('textbox', { name: fill(m.users.changeRole, { name: names.teammate }) })).toHaveValue(m.roles.readonly);
  });
  await teammateContext.close();

  await test.step('the admin signs out and signs in again with "remember me"', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: m.userMenu.signOut }).click();
    await expect(page.getByRole('heading', { name: m.login.title })).toBeVisible();
    await page.getByLabel(m.login.email).fill(ADMIN_EMAIL);
    await page.getByRole('textbox', { name: m.login.password, exact: true }).fill('wrong-password!');
    await page.getByRole('button', { name: m.login.submit }).click();
    await expect(page.getByRole('alert')).toContainText(
      lang === 'ja' ? 'メールアドレスまたはパスワードが正しくありません。' : 'The email address or password is incorrect.',
    );
    await page.getByRole('textbox', { name: m.login.password, exact: true }).fill(ADMIN_PASSWORD);
    await page.getByLabel(m.login.remember).check();
    await page.getByRole('button', { name: m.login.submit }).click();
    await expect(page.getByRole('heading', { name: fill(m.home.greeting, { name: names.admin }) })).toBeVisible();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'crm_session');
    // A remembered session survives closing the browser: the cookie has an expiry date.
    expect(cookie?.expires ?? -1).toBeGreaterThan(Date.now() / 1000 + 86_400);
  });
});

test('a fresh workspace: each list says what to do next, with the button that does it', async ({ page }, testInfo) => {
  const { lang, m } = messagesFor(testInfo);
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAsAdmin(page, m, lang);
  const c = m.customers.emptyState;
  const lists = [
    { path: '/people', message: c.people, add: c.addPerson, importLink: true },
    { path: '/companies', message: c.companies, add: c.addCompany, importLink: true },
    { path: '/leads', message: m.sales.leads.emptyState, add: m.sales.leads.emptyAdd },
    { path: '/deals', message: m.sales.deals.emptyState, add: m.sales.deals.emptyAdd },
    { path: '/tasks', message: m.tasks.emptyState, add: m.tasks.emptyAdd },
    { path: '/orders', message: m.commerce.orders.emptyState, add: m.commerce.orders.emptyAdd },
  ];
  const empty = page.getByTestId('empty-state');
  for (const list of lists) {
    await test.step(`${list.path}: the first step and its buttons`, async () => {
      await page.goto(list.path);
      await expect(empty).toContainText(list.message);
      await expect(empty.getByRole('button', { name: list.add })).toBeVisible();
      // people and companies also come from a file: the import screen is one click away
      await expect(empty.getByRole('link', { name: c.import })).toHaveCount(list.importLink ? 1 : 0);
      if (lang === 'ja' && list.path === '/people') await page.screenshot({ path: 'test-results/empty-people-ja.png' });
    });
  }
  await test.step('the button does what it says: the people list’s opens the new-person form', async () => {
    await page.goto('/people');
    await empty.getByRole('button', { name: c.addPerson }).click();
    await expect(page.getByRole('dialog', { name: m.customers.newPerson })).toBeVisible();
    await page.keyboard.press('Escape');
    await page.goto('/companies');
    await empty.getByRole('link', { name: c.import }).click();
    await expect(page).toHaveURL(/\/import$/);
  });
});

test('phone width: the signed-in home and users pages fit 375 px', async ({ page }, testInfo) => {
  const { lang, m } = messagesFor(testInfo);
  await page.setViewportSize({ width: 375, height: 812 });
  await signInAsAdmin(page, m, lang);
  await expect(page.getByRole('button', { name: m.nav.toggle })).toBeVisible();
  // The sidebar is folded away behind the burger on a phone.
  await expect(nav(page).getByRole('link', { name: m.nav.users })).not.toBeInViewport();
  await page.screenshot({ path: `test-results/phone-${lang}.png`, fullPage: true });

  await page.getByRole('button', { name: m.nav.toggle }).click();
  await nav(page).getByRole('link', { name: m.nav.users }).click();
  await expect(page.getByRole('heading', { name: m.users.title })).toBeVisible();
  await expect(page.getByTestId('users-table').getByText(ADMIN_EMAIL)).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `test-results/phone-users-${lang}.png`, fullPage: true });
});

test('language and theme are saved with the user and switch the whole app', async ({ page }, testInfo) => {
  const { lang, m } = messagesFor(testInfo);
  const other = otherMessages(lang);
  await signInAsAdmin(page, m, lang);

  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: lang === 'ja' ? 'English' : '日本語' }).click();
  await expect(nav(page).getByRole('link', { name: other.nav.home })).toBeVisible();
  await page.reload();
  await expect(nav(page).getByRole('link', { name: other.nav.settings })).toBeVisible();

  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: other.theme.dark }).click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.screenshot({ path: `test-results/dark-${lang}.png` });

  // Back to the browser's language and the automatic theme: the app follows the browser again.
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: other.language.browser }).click();
  await expect(nav(page).getByRole('link', { name: m.nav.home })).toBeVisible();
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: m.theme.auto }).click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'light');
});

test('an API token is shown once, works as a bearer token, and stops working when revoked', async ({ page, request }, testInfo) => {
  const { lang, m } = messagesFor(testInfo);
  await signInAsAdmin(page, m, lang);
  await page.goto('/settings?tab=tokens');
  await page.getByLabel(m.tokens.name).fill('import-script');
  await page.getByRole('button', { name: m.tokens.create }).click();
  const secret = page.getByRole('textbox', { name: m.tokens.secret, exact: true });
  await expect(secret).toHaveValue(/^crm_/);
  const token = await secret.inputValue();
  const row = page.getByRole('row', { name: /import-script/ });
  await expect(row).toContainText(m.tokens.scope.read);

  const asToken = () => request.get('/api/v1/users', { headers: { authorization: `Bearer ${token}` } });
  expect((await asToken()).status()).toBe(200);

  await row.getByRole('button', { name: m.common.revoke }).click();
  await page.getByRole('dialog').getByRole('button', { name: m.common.revoke }).click();
  await expect(row).toContainText(m.tokens.revoked);
  expect((await asToken()).status()).toBe(401);
});

test('an administrator renames the workspace and chooses what members see; both are kept', async ({ page }, testInfo) => {
  const { lang, m } = messagesFor(testInfo);
  const w = m.workspaceSettings;
  await signInAsAdmin(page, m, lang);
  await page.goto('/settings?tab=workspace');
  const name = page.getByRole('textbox', { name: w.name });
  const before = await name.inputValue();
  const renamed = lang === 'ja' ? `${before}（改名）` : `${before} (renamed)`;
  await name.fill(renamed);
  await page.getByRole('textbox', { name: m.roles.member, exact: true }).click();
  await page.getByRole('option', { name: w.visibilities.team }).click();
  await expect(page.getByRole('textbox', { name: w.currency })).toHaveValue('JPY');
  if (lang === 'ja') await page.screenshot({ path: 'test-results/workspace-settings-ja.png', fullPage: true });
  await page.getByRole('button', { name: m.common.save }).click();
  await expect(page.getByText(m.common.saved)).toBeVisible();
  // The header shows the new name at once (the session is refetched), and a reload keeps both choices.
  await expect(page.getByRole('banner').getByText(renamed)).toBeVisible();
  await page.reload();
  await expect(page.getByRole('textbox', { name: w.name })).toHaveValue(renamed);
  await expect(page.getByRole('textbox', { name: m.roles.member, exact: true })).toHaveValue(w.visibilities.team);

  // Later journeys share this workspace: members see all records again, under the original name.
  await page.getByRole('textbox', { name: w.name }).fill(before);
  await page.getByRole('textbox', { name: m.roles.member, exact: true }).click();
  await page.getByRole('option', { name: w.visibilities.all }).click();
  await page.getByRole('button', { name: m.common.save }).click();
  await expect(page.getByRole('banner').getByText(before, { exact: true })).toBeVisible();

  // On a phone the fields stack in one column and nothing runs off the screen.
  await page.setViewportSize({ width: 375, height: 812 });
  await page.reload();
  await expect(page.getByRole('textbox', { name: w.name })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `test-results/workspace-settings-phone-${lang}.png`, fullPage: true });
});

test('the audit log filters by record type and shows what changed; the command palette finds users', async ({ page }, testInfo) => {
  const { lang, m } = messagesFor(testInfo);
  await signInAsAdmin(page, m, lang);
  const teamName = lang === 'ja' ? '東京営業部' : 'Tokyo Sales';

  await page.goto('/users?tab=teams');
  await page.getByLabel(m.teams.name).fill(teamName);
  await page.getByRole('button', { name: m.teams.create }).click();
  await expect(page.getByRole('textbox', { name: m.teams.name }).nth(1)).toHaveValue(teamName);

  await nav(page).getByRole('link', { name: m.nav.audit }).click();
  await expect(page.getByRole('heading', { name: m.audit.title })).toBeVisible();
  await page.getByRole('textbox', { name: m.audit.entityType }).click();
  await page.getByRole('option', { name: m.audit.entities.team }).click();
  const list = page.getByTestId('audit-list');
  await expect(list.getByRole('button')).toHaveCount(1);
  await list.getByRole('button').first().click();
  await expect(list.getByRole('cell', { name: teamName })).toBeVisible();
  await expect(list.getByRole('columnheader', { name: m.audit.after })).toBeVisible();

  await page.keyboard.press('Control+k');
  const search = page.getByRole('combobox', { name: m.search.label });
  await expect(search).toBeFocused();
  await search.fill('admin@');
  await expect(page.getByRole('option', { name: new RegExp(ADMIN_EMAIL) })).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: m.users.title })).toBeVisible();
  await expect(page.getByTestId('users-table').locator('tbody tr')).toHaveCount(1);
});
