import { expect, type Page, test } from '@playwright/test';
import { formatMoney } from '../src/shared/contracts/sales';
import { fill, messagesFor } from './support/messages';
import { afterPlatformSpec } from './support/run-order';
import { signInAsAdmin } from './support/session';

// Runs after platform.spec.ts in each project (that file needs the fresh server's set-up screen).

async function csrf(page: Page) {
  const session = await (await page.request.get('/api/v1/auth/session')).json();
  return { 'x-csrf-token': session.csrfToken as string };
}

async function post(page: Page, url: string, data: unknown) {
  const res = await page.request.post(url, { data, headers: await csrf(page) });
  expect(res.status(), `${url} ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

test('add an order on a person page: the purchase totals and the suggestions change', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const { lang, m, locale } = messagesFor(testInfo);
  const c = m.commerce;
  await afterPlatformSpec(lang);
  await page.setViewportSize({ width: 1440, height: 1100 });
  await signInAsAdmin(page, m, lang);
  const token = Date.now().toString(36);
  const yen = (n: number) => formatMoney(n, 'JPY', locale);

  const tea = await post(page, '/api/v1/products', {
    sku: `TEA-${token}`,
    name: lang === 'ja' ? `煎茶 ${token}` : `Green tea ${token}`,
    unitPrice: 1200,
    currency: 'JPY',
  });
  const cup = await post(page, '/api/v1/products', {
    sku: `CUP-${token}`,
    name: lang === 'ja' ? `湯呑み ${token}` : `Tea cup ${token}`,
    unitPrice: 3500,
    currency: 'JPY',
  });
  const family = lang === 'ja' ? `購買${token}` : `Buyer${token}`;
  const person = await post(page, '/api/v1/people', { familyName: family });
  // Another customer bought tea and cup together: tea buyers are offered the cup.
  const other = await post(page, '/api/v1/people', { familyName: lang === 'ja' ? `別客${token}` : `Other${token}` });
  await post(page, '/api/v1/orders', {
    personId: other.id,
    currency: 'JPY',
    lines: [
      { productId: tea.id, quantity: 1 },
      { productId: cup.id, quantity: 1 },
    ],
  });

  await page.goto(`/people/${person.id}`);
  await expect(page.getByRole('heading', { name: family })).toBeVisible();
  const card = page.getByTestId('purchase-card');
  await expect(card.getByText(c.metrics.none)).toBeVisible();

  const addOrder = async (quantity: number) => {
    await card.getByRole('button', { name: c.orders.new }).click();
    const dialog = page.getByRole('dialog', { name: c.form.title });
    await dialog.getByRole('textbox', { name: `${c.form.product} 1` }).click();
    await page.getByRole('option', { name: `${tea.name} (${tea.sku})` }).click();
    await dialog.getByRole('textbox', { name: `${c.form.quantity} 1` }).fill(String(quantity));
    await expect(dialog.getByTestId('order-form-total')).toContainText(yen(1200 * quantity));
    if (lang === 'ja' && quantity === 2) await page.screenshot({ path: 'test-results/commerce-order-form-ja.png' });
    await dialog.getByRole('button', { name: c.form.submit }).click();
    await expect(dialog).toBeHidden();
  };

  await test.step('the first order shows in the card', async () => {
    await addOrder(2);
    await expect(card.getByTestId('metric-count')).toHaveText('1');
    await expect(card.getByTestId('metric-total')).toHaveText(yen(2400));
    await expect(card.getByTestId('metric-ltv')).toHaveText(yen(2400));
    await expect(card.getByText(c.metrics.repeat)).toHaveCount(0);
  });

  await test.step('a second order makes a repeat customer with a new average', async () => {
    await addOrder(1);
    await expect(card.getByTestId('metric-count')).toHaveText('2');
    await expect(card.getByTestId('metric-total')).toHaveText(yen(3600));
    await expect(card.getByTestId('metric-average')).toHaveText(yen(1800));
    await expect(card.getByTestId('metric-quantity')).toHaveText('3');
    await expect(card.getByText(c.metrics.repeat)).toBeVisible();
    await expect(page.getByTestId('cross-sell-card').getByText(cup.name)).toBeVisible();
    await card.scrollIntoViewIfNeeded();
    if (lang === 'ja') await page.screenshot({ path: 'test-results/commerce-person-ja.png', fullPage: true });
  });

  await test.step('cancelling an order on the order page takes it out of the totals', async () => {
    await card
      .getByRole('link', { name: /^O-\d+$/ })
      .first()
      .click();
    await expect(page.getByRole('heading', { name: /O-\d+/ })).toBeVisible();
    await page.getByRole('textbox', { name: c.form.status }).click();
    await page.getByRole('option', { name: c.statuses.cancelled }).click();
    await page.getByRole('button', { name: c.order.update }).click();
    await expect(page.getByText(c.order.updated)).toBeVisible();
    await page.goto(`/people/${person.id}`);
    await expect(card.getByTestId('metric-count')).toHaveText('1');
    await expect(card.getByTestId('metric-total')).toHaveText(yen(2400));
  });

  await test.step('the orders list shows the customer’s orders and the webhook settings for administrators', async () => {
    await page.goto('/orders');
    await expect(page.getByRole('heading', { name: c.orders.title })).toBeVisible();
    await expect(page.getByTestId('orders-table').getByRole('link', { name: family })).toHaveCount(2);
    await page.getByRole('button', { name: c.import.button }).click();
    const dialog = page.getByRole('dialog', { name: c.import.title });
    const csv = [
      '注文番号,注文日時,顧客ID,SKU,数量',
      `I-${token}-1,2026/03/01 10:00,${person.id},${tea.sku},1`,
      `I-${token}-2,2026/03/02,${person.id},NOPE,1`,
    ];
    await dialog
      .locator('input[type=file]')
      .setInputFiles({ name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(csv.join('\n')) });
    // The job runs in the background: the dialog follows it to the end, then lists the rejected row.
    const progress = dialog.getByTestId('order-import-progress');
    await expect(progress).toHaveAttribute('data-status', 'completed', { timeout: 20_000 });
    await expect(progress.getByText(c.import.status.completed)).toBeVisible();
    await expect(dialog.getByTestId('order-import-result')).toHaveText(
      fill(c.import.counts, { processed: 2, orders: 1, skipped: 0, rejected: 1 }),
    );
    const rejected = dialog.getByTestId('order-import-rejected');
    await expect(rejected.getByRole('row').filter({ hasText: `I-${token}-2` })).toContainText(c.import.reasons.unknown_product);
    await expect(rejected.getByRole('row').filter({ hasText: `I-${token}-2` })).toContainText('3');
    await expect(progress.getByRole('link', { name: c.import.errorReport })).toHaveAttribute('href', /\/errors\.csv$/);
    // The recent order imports list the file, its tallies and its report.
    const recent = dialog.getByRole('region', { name: c.import.recent.title });
    const row = recent.getByRole('row', { name: /orders\.csv/ }).first();
    await expect(row).toContainText(m.imports.states.completed);
    await expect(row.getByRole('link', { name: fill(m.imports.reportFor, { file: 'orders.csv' }) })).toHaveAttribute(
      'href',
      /\/orders\/imports\/.+\/errors\.csv$/,
    );
    if (lang === 'ja') await page.screenshot({ path: 'test-results/commerce-import-ja.png', fullPage: true });
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('orders-table').getByRole('link', { name: family })).toHaveCount(3);
    const webhook = page.getByTestId('webhook-card');
    await expect(webhook.getByRole('heading', { name: c.webhook.title })).toBeVisible();
    if (await webhook.getByRole('button', { name: c.webhook.create }).isVisible()) {
      await webhook.getByRole('button', { name: c.webhook.create }).click();
      await expect(webhook.getByText(c.webhook.secretHint)).toBeVisible();
    }
    await expect(webhook.getByTestId('webhook-state')).not.toHaveText(c.webhook.notConfigured);
    if (lang === 'ja') await page.screenshot({ path: 'test-results/commerce-orders-ja.png', fullPage: true });
  });

  await test.step('the people list shows purchase metrics as columns that sort', async () => {
    const cust = m.customers;
    await page.goto('/people');
    const table = page.getByTestId('person-table');
    await expect(table.getByRole('link', { name: family })).toBeVisible();
    await page.getByRole('button', { name: cust.columns }).click();
    await page.getByRole('checkbox', { name: c.fields.purchaseTotal }).check();
    await page.getByRole('checkbox', { name: c.fields.purchaseCount }).check();
    await page.keyboard.press('Escape');
    // Highest total first: the list is sorted by the metric on the server.
    const sortTotal = page.getByRole('button', { name: fill(cust.sortBy, { field: c.fields.purchaseTotal }) });
    await sortTotal.click();
    await sortTotal.click();
    // Two orders left (one UI order cancelled, one imported): ￥2,400 + ￥1,200.
    const row = table.locator('tbody tr').filter({ has: page.getByRole('link', { name: family }) });
    await expect(row.getByTestId('metric-cell-purchaseTotal')).toHaveText(yen(3600));
    await expect(row.getByTestId('metric-cell-purchaseCount')).toHaveText('2');
    await expect(table.locator('tbody tr[data-index="0"]').getByTestId('metric-cell-purchaseTotal')).not.toHaveText(yen(0));
    if (lang === 'ja') await page.screenshot({ path: 'test-results/commerce-people-columns-ja.png' });
  });
});
