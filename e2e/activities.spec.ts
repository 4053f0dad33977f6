import { type Browser, expect, type Page, test } from '@playwright/test';
import { formatMoney } from '../src/shared/contracts/sales';
import { errorCodes } from '../src/shared/errors';
import { fill, messagesFor, people } from './support/messages';
import { afterPlatformSpec } from './support/run-order';
import { signInAsAdmin } from './support/session';

// Runs after platform.spec.ts in each project (that file needs the fresh server's set-up screen).

const PASSWORD = 'activities-password-1';

async function csrf(page: Page) {
  const session = await (await page.request.get('/api/v1/auth/session')).json();
  return { 'x-csrf-token': session.csrfToken as string };
}

/** A second member of the team, signed in in a browser context of its own. */
async function secondUser(browser: Browser, admin: Page, name: string, baseURL: string, locale: string) {
  const email = `rep.${Date.now().toString(36)}@example.jp`;
  const inv = await admin.request.post('/api/v1/invitations', { headers: await csrf(admin), data: { email, role: 'member' } });
  expect(inv.status()).toBe(201);
  const token = String((await inv.json()).url).split('/invite/')[1];
  const context = await browser.newContext({ baseURL, locale, timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  const accepted = await page.request.post('/api/v1/invitations/accept', { data: { token, name, password: PASSWORD } });
  expect(accepted.status()).toBe(201);
  await page.context().clearCookies();
  expect((await page.request.post('/api/v1/auth/login', { data: { email, password: PASSWORD } })).status()).toBe(200);
  // The project's language for this user too, whatever the workspace's is.
  expect((await page.request.patch('/api/v1/me', { headers: await csrf(page), data: { locale: locale.slice(0, 2) } })).status()).toBe(200);
  return { page, context, email };
}

test('a call logged by one member appears live on the other’s open record, and the mention rings the bell', async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(150_000);
  const { lang, m, locale } = messagesFor(testInfo);
  const a = m.activities;
  await afterPlatformSpec(lang);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await signInAsAdmin(page, m, lang);
  const adminName = people(lang).admin;
  const repName = lang === 'ja' ? '営業 次郎' : 'Jiro Sales';
  const baseURL = String(testInfo.project.use.baseURL);

  const company = await (
    await page.request.post('/api/v1/companies', { headers: await csrf(page), data: { name: `株式会社活動 ${lang}` } })
  ).json();
  const created = await page.request.post('/api/v1/people', {
    headers: await csrf(page),
    data: { familyName: '木村', givenName: lang === 'ja' ? '拓也' : 'Takuya', companyId: company.id, ignoreDuplicates: true },
  });
  expect(created.status()).toBe(201);
  const person = await created.json();

  const rep = await secondUser(browser, page, repName, baseURL, locale);

  await test.step('both open the same person; the admin watches the timeline', async () => {
    await page.goto(`/people/${person.id}`);
    await expect(page.getByRole('heading', { name: person.displayName })).toBeVisible();
    await expect(page.getByRole('heading', { name: a.timeline.title })).toBeVisible();
    await rep.page.goto(`/people/${person.id}`);
    await expect(rep.page.getByRole('heading', { name: a.timeline.title })).toBeVisible();
    await expect(page.getByTestId('timeline-entry').filter({ hasText: a.change.created })).toBeVisible();
  });

  await test.step('a tag change and an order read as words and one money format on the open timeline', async () => {
    const headers = await csrf(page);
    const tagged = await page.request.post('/api/v1/people/bulk', { headers, data: { action: 'tag', ids: [person.id], tags: ['VIP'] } });
    expect(tagged.status()).toBe(200);
    const product = await page.request.post('/api/v1/products', {
      headers,
      data: {
        sku: `TL-${lang}-${Date.now().toString(36)}`,
        name: lang === 'ja' ? '年間保守' : 'Annual support',
        unitPrice: 120000,
        currency: 'JPY',
      },
    });
    expect(product.status()).toBe(201);
    const order = await page.request.post('/api/v1/orders', {
      headers,
      data: { personId: person.id, currency: 'JPY', lines: [{ productId: (await product.json()).id, quantity: 1 }] },
    });
    expect(order.status()).toBe(201);
    // "タグ: VIP を追加", not "addTags: (空) → ["VIP"]"
    await expect(page.getByTestId('timeline-change').filter({ hasText: 'VIP' })).toHaveText(
      `${m.customers.fields.tags}: ${fill(a.change.added, { items: 'VIP' })}`,
    );
    const purchase = page.locator('[data-testid="timeline-entry"][data-kind="purchase"]');
    await expect(purchase).toContainText(formatMoney(120000, 'JPY', locale));
    await expect(purchase).not.toContainText('JPY');
    if (lang === 'ja') await page.screenshot({ path: 'test-results/activities-timeline-values-ja.png' });
  });

  // Other journeys may have notified the admin already: count from here.
  const unreadBefore = (await (await page.request.get('/api/v1/notifications/unread-count')).json()).count as number;

  await test.step('the second member logs an outgoing call and mentions the admin with @', async () => {
    await rep.page.getByTestId('log-activity').click();
    const dialog = rep.page.getByRole('dialog', { name: a.log.title });
    await dialog.getByText(a.kinds.call, { exact: true }).click();
    await dialog.getByRole('textbox', { name: a.log.subject }).fill(lang === 'ja' ? '見積の確認' : 'Quote follow-up');
    await dialog.getByRole('textbox', { name: a.log.duration }).fill('12');
    await dialog.getByRole('textbox', { name: a.log.outcome }).click();
    await rep.page.getByRole('option', { name: a.log.outcomes.connected }).click();
    const body = dialog.getByRole('textbox', { name: a.log.body });
    await body.fill(lang === 'ja' ? '来週訪問予定。' : 'Visit next week. ');
    await body.pressSequentially(`@${adminName.slice(0, 2)}`);
    await rep.page.getByRole('option', { name: new RegExp(adminName) }).click({ timeout: 15_000 });
    await body.pressSequentially(lang === 'ja' ? '同行お願いします' : 'please join');
    await expect(dialog.getByTestId('mentioned')).toContainText(`@${adminName}`);
    await dialog
      .locator('input[type="file"]')
      .setInputFiles({ name: '見積書.txt', mimeType: 'text/plain', buffer: Buffer.from('見積 100,000円') });
    if (lang === 'ja') await rep.page.screenshot({ path: 'test-results/activities-log-call-ja.png' });
    await dialog.getByRole('button', { name: a.log.submit }).click();
    await expect(dialog).toBeHidden();
  });

  await test.step('the admin sees the call on the open page without reloading, and the bell counts the mention', async () => {
    const call = page.getByTestId('timeline-entry').filter({ hasText: lang === 'ja' ? '見積の確認' : 'Quote follow-up' });
    await expect(call).toBeVisible();
    await expect(call).toContainText(repName);
    await expect(call).toContainText(a.log.directions.out);
    await expect(call).toContainText(fill(a.call.minutes, { count: 12 }));
    await expect(call).toContainText(a.log.outcomes.connected);
    const file = call.getByRole('link', { name: '見積書.txt' });
    await expect(file).toBeVisible();
    const download = await page.request.get(String(await file.getAttribute('href')));
    expect(download.headers()['content-disposition']).toBe(
      `attachment; filename="___.txt"; filename*=UTF-8''${encodeURIComponent('見積書.txt')}`,
    );
    expect(download.headers()['x-content-type-options']).toBe('nosniff');
    expect(await download.text()).toBe('見積 100,000円');
    const bell = page.getByTestId('notifications-bell');
    await expect(bell).toHaveAccessibleName(fill(m.notifications.bellUnread, { count: unreadBefore + 1 }));
    await bell.click();
    const item = page.getByTestId('notifications-list').getByRole('button').first();
    await expect(item).toContainText(repName);
    await expect(item).toContainText(person.displayName);
    if (lang === 'ja') await page.screenshot({ path: 'test-results/activities-record-ja.png', fullPage: true });
    await page.getByRole('button', { name: m.notifications.markAllRead }).click();
    await expect(bell).toHaveAccessibleName(m.notifications.bell);
  });

  await test.step('the company page shows the call rolled up from its person; the feed filters by member', async () => {
    await page.keyboard.press('Escape');
    await page.goto(`/companies/${company.id}`);
    const rolled = page.getByTestId('timeline-entry').filter({ hasText: lang === 'ja' ? '見積の確認' : 'Quote follow-up' });
    await expect(rolled).toContainText(fill(a.timeline.via, { name: person.displayName }));
    await page.getByRole('navigation').first().getByRole('link', { name: a.nav.feed }).click();
    await expect(page.getByRole('heading', { name: a.feed.title })).toBeVisible();
    await page.getByTestId('feed-member').click();
    await page.getByRole('option', { name: repName }).click();
    const feed = page.getByTestId('feed');
    await expect(feed.getByTestId('timeline-entry')).toHaveCount(1);
    await expect(feed.getByTestId('timeline-entry').first()).toHaveAttribute('data-kind', 'call');
    if (lang === 'ja') await page.screenshot({ path: 'test-results/activities-feed-ja.png', fullPage: true });
  });

  await test.step('the command palette logs a note on the open record', async () => {
    await page.goto(`/people/${person.id}`);
    await expect(page.getByRole('heading', { name: a.timeline.title })).toBeVisible();
    await page.keyboard.press('Control+K');
    await page.getByRole('option', { name: new RegExp(a.palette.log) }).click();
    const dialog = page.getByRole('dialog', { name: a.log.title });
    await dialog.getByRole('textbox', { name: a.log.body }).fill(lang === 'ja' ? 'パレットからメモ' : 'Note from the palette');
    await dialog.getByRole('button', { name: a.log.submit }).click();
    await expect(
      page.getByTestId('timeline-entry').filter({ hasText: lang === 'ja' ? 'パレットからメモ' : 'Note from the palette' }),
    ).toBeVisible();
    // the second member's page follows too
    await expect(
      rep.page.getByTestId('timeline-entry').filter({ hasText: lang === 'ja' ? 'パレットからメモ' : 'Note from the palette' }),
    ).toBeVisible();
  });

  await test.step('two members edit the same note: the later save is refused with the latest text shown', async () => {
    const noteText = lang === 'ja' ? 'パレットからメモ' : 'Note from the palette';
    const editOn = async (p: Page) => {
      await p.getByTestId('timeline-entry').filter({ hasText: noteText }).getByTestId('edit-activity').click();
      const dialog = p.getByRole('dialog', { name: a.edit.title });
      await expect(dialog.getByRole('textbox', { name: a.log.body })).toHaveValue(noteText);
      return dialog;
    };
    const mine = await editOn(page);
    const theirs = await editOn(rep.page);
    await theirs.getByRole('textbox', { name: a.log.body }).fill(`${noteText} (${repName})`);
    await theirs.getByRole('button', { name: m.common.save }).click();
    await expect(theirs).toBeHidden();
    await mine.getByRole('textbox', { name: a.log.body }).fill(`${noteText} (${adminName})`);
    await mine.getByRole('button', { name: m.common.save }).click();
    await expect(mine.getByRole('alert').first()).toContainText(errorCodes.conflict[lang]);
    await expect(mine.getByTestId('activity-latest')).toContainText(`(${repName})`);
    if (lang === 'ja') await page.screenshot({ path: 'test-results/activities-conflict-ja.png' });
    await mine.getByRole('button', { name: m.common.cancel }).click();
    // the admin's open page already shows the other member's edit
    const edited = page.getByTestId('timeline-entry').filter({ hasText: `(${repName})` });
    await expect(edited).toBeVisible();
    // still the admin's note: an edit does not change who logged it
    await expect(edited).toContainText(adminName);
  });

  await test.step('the timeline fits a 375 px phone', async () => {
    await rep.page.setViewportSize({ width: 375, height: 812 });
    await rep.page.goto(`/people/${person.id}`);
    await expect(rep.page.getByTestId('timeline-entry').first()).toBeVisible();
    const overflow = await rep.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    if (lang === 'ja') {
      await rep.page.getByTestId('record-activity').scrollIntoViewIfNeeded();
      await rep.page.screenshot({ path: 'test-results/activities-phone-ja.png' });
    }
  });
  await rep.context.close();
});
