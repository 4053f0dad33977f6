import { expect, type Page, test } from '@playwright/test';
import { fill, messagesFor } from './support/messages';
import { afterPlatformSpec } from './support/run-order';
import { signInAsAdmin } from './support/session';

// Runs after platform.spec.ts in each project (that file needs the fresh server's set-up screen).

const nav = (page: Page) => page.getByRole('navigation').first();

async function csrf(page: Page) {
  const session = await (await page.request.get('/api/v1/auth/session')).json();
  return { 'x-csrf-token': session.csrfToken as string };
}

test('a qualified lead becomes a person, a company and a deal in one step', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const { lang, m } = messagesFor(testInfo);
  const s = m.sales;
  await afterPlatformSpec(lang);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await signInAsAdmin(page, m, lang);
  const token = Date.now().toString(36);
  const family = lang === 'ja' ? `見込${token}` : `Lead${token}`;
  const company = lang === 'ja' ? `株式会社リード${token}` : `Lead Corp ${token}`;

  await test.step('create a lead from the leads list', async () => {
    await nav(page).getByRole('link', { name: s.nav.leads }).click();
    await expect(page.getByRole('heading', { name: s.leads.title })).toBeVisible();
    await page.getByRole('button', { name: s.leads.new }).click();
    const dialog = page.getByRole('dialog', { name: s.leads.new });
    await dialog.getByRole('textbox', { name: s.leads.field.familyName }).fill(family);
    await dialog.getByRole('textbox', { name: s.leads.field.companyName }).fill(company);
    await dialog.getByRole('textbox', { name: s.leads.field.email }).fill(`${token}@lead.example`);
    await dialog.getByRole('textbox', { name: s.leads.field.channel }).fill(lang === 'ja' ? '展示会 2026' : 'Trade show 2026');
    await dialog.getByRole('button', { name: m.common.create }).click();
    await expect(page.getByRole('heading', { name: family })).toBeVisible();
    // typed in by hand: 手入力 / Manual, and a new lead can be converted without being qualified first
    await expect(page.getByText(s.leads.source.manual, { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: s.leads.convert })).toBeEnabled();
  });

  await test.step('edit the lead: the phone number is saved', async () => {
    await page.getByRole('button', { name: s.leads.edit }).click();
    const dialog = page.getByRole('dialog', { name: s.leads.edit });
    await dialog.getByRole('textbox', { name: s.leads.field.phone }).fill('03-1234-5678');
    await dialog.getByRole('button', { name: m.common.save }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText('03-1234-5678')).toBeVisible();
  });

  await test.step('the leads list’s search box finds it by its phone typed in full width, and not by another word', async () => {
    const leadsPage = page.url();
    await nav(page).getByRole('link', { name: s.nav.leads }).click();
    const box = page.getByRole('searchbox', { name: s.leads.search.label });
    await box.fill('０３－１２３４－５６７８');
    await expect(page.getByRole('link', { name: family })).toBeVisible();
    await box.fill(`${token}-none`);
    await expect(page.getByText(s.leads.empty)).toBeVisible();
    await expect(page.getByRole('link', { name: family })).toHaveCount(0);
    await page.goto(leadsPage);
  });

  await test.step('mark it working and convert it: person, company and deal are created and linked', async () => {
    await page.getByRole('textbox', { name: s.leads.field.status }).click();
    await page.getByRole('option', { name: s.leads.status.working, exact: true }).click();
    await expect(page.getByRole('button', { name: s.leads.convert })).toBeEnabled();
    await page.getByRole('button', { name: s.leads.convert }).click();
    const dialog = page.getByRole('dialog', { name: s.leads.convertTitle });
    await expect(dialog.getByRole('textbox', { name: s.leads.field.companyName })).toHaveValue(company);
    // the deal is offered by name, after the customer, with its amount left to give (not ¥0)
    await expect(dialog.getByRole('textbox', { name: s.leads.dealTitle })).toHaveValue(fill(s.leads.dealTitleDefault, { name: company }));
    await expect(dialog.getByRole('textbox', { name: s.deals.field.amount })).toHaveValue('');
    await dialog.getByRole('textbox', { name: s.leads.dealTitle }).fill(`${company} CRM`);
    await dialog.getByRole('textbox', { name: s.deals.field.amount }).fill('1200000');
    if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-convert-ja.png' });
    await dialog.getByRole('button', { name: s.leads.convert }).click();
    await expect(page.getByRole('heading', { name: `${company} CRM` })).toBeVisible();
    await expect(page.getByRole('link', { name: company })).toBeVisible();
    await expect(page.getByText('1,200,000').first()).toBeVisible();
    await page.getByRole('link', { name: family }).click();
    await expect(page.getByRole('heading', { name: family })).toBeVisible();
    await expect(page).toHaveURL(/\/people\/[0-9a-f-]+$/);
  });

  await test.step('the lead shows it was converted, with links to what it became', async () => {
    await page.goto('/leads');
    await page.getByRole('link', { name: family }).click();
    await expect(page.getByText(s.leads.converted).first()).toBeVisible();
    await expect(page.getByRole('link', { name: s.leads.openDeal })).toBeVisible();
    await expect(page.getByRole('link', { name: s.leads.openCompany })).toBeVisible();
  });
});

test('drag a deal to the won stage on the board: the dialog asks why, the stage totals change', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const { lang, m } = messagesFor(testInfo);
  const s = m.sales;
  await afterPlatformSpec(lang);
  // every stage of the default pipeline fits on screen, so the drag needs no scrolling
  await page.setViewportSize({ width: 2200, height: 1000 });
  await signInAsAdmin(page, m, lang);
  const token = `Z${Date.now().toString(36)}`;
  const pipelines = (await (await page.request.get('/api/v1/pipelines')).json()).data as {
    id: string;
    stages: { id: string; name: string; kind: string }[];
  }[];
  const pipeline = pipelines[0];
  if (!pipeline) throw new Error('no pipeline');
  const first = pipeline.stages[0];
  const won = pipeline.stages.find((x) => x.kind === 'won');
  if (!first || !won) throw new Error('no stages');
  const created = await page.request.post('/api/v1/deals', {
    headers: await csrf(page),
    data: { title: `${token} ${lang === 'ja' ? '基幹システム' : 'ERP'}`, amount: 2_500_000, pipelineId: pipeline.id, stageId: first.id },
  });
  expect(created.status()).toBe(201);

  await test.step('the board, filtered to this deal, shows it in its first stage with the totals', async () => {
    await nav(page).getByRole('link', { name: s.nav.deals }).click();
    await expect(page.getByRole('heading', { name: s.deals.title })).toBeVisible();
    await page.getByRole('textbox', { name: s.deals.filters.title }).fill(token);
    const firstColumn = page.getByRole('region', { name: first.name });
    await expect(firstColumn.getByTestId('deal-card')).toHaveCount(1);
    await expect(firstColumn.getByTestId('stage-totals')).toContainText(fill(s.deals.count, { count: 1 }));
    await expect(firstColumn.getByTestId('stage-totals')).toContainText('2,500,000');
    await expect(page.getByRole('region', { name: won.name }).getByTestId('stage-totals')).toContainText(fill(s.deals.count, { count: 0 }));
    if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-board-ja.png' });
  });

  await test.step('drag the card onto the won stage with the mouse and give the reason', async () => {
    const card = page.getByRole('region', { name: first.name }).getByTestId('deal-card');
    const target = page.getByRole('region', { name: won.name });
    const from = await card.boundingBox();
    const to = await target.boundingBox();
    if (!from || !to) throw new Error('no boxes');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 20, from.y + from.height / 2 + 5, { steps: 5 });
    await page.mouse.move(to.x + to.width / 2, to.y + 120, { steps: 25 });
    await page.mouse.up();
    const dialog = page.getByRole('dialog', { name: s.deals.close.wonTitle });
    await expect(dialog).toBeVisible();
    // the reason is optional unless an administrator requires it
    await expect(dialog.getByText(s.deals.close.optional)).toBeVisible();
    await expect(dialog.getByRole('button', { name: s.deals.close.confirm })).toBeEnabled();
    await dialog.getByRole('textbox', { name: s.deals.close.reasonWon }).fill(lang === 'ja' ? '導入実績と価格' : 'References and price');
    await dialog.getByRole('textbox', { name: s.deals.close.competitor }).fill(lang === 'ja' ? 'A社' : 'Rival Inc.');
    if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-won-dialog-ja.png' });
    await dialog.getByRole('button', { name: s.deals.close.confirm }).click();
    await expect(dialog).toBeHidden();
  });

  await test.step('the totals moved with the deal', async () => {
    const wonColumn = page.getByRole('region', { name: won.name });
    await expect(wonColumn.getByTestId('deal-card')).toHaveCount(1);
    await expect(wonColumn.getByTestId('stage-totals')).toContainText(fill(s.deals.count, { count: 1 }));
    await expect(wonColumn.getByTestId('stage-totals')).toContainText('2,500,000');
    await expect(page.getByRole('region', { name: first.name }).getByTestId('stage-totals')).toContainText(
      fill(s.deals.count, { count: 0 }),
    );
    if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-board-after-ja.png' });
  });

  await test.step('the deal page shows the reason and the stage history', async () => {
    await page.getByRole('region', { name: won.name }).getByRole('link').first().click();
    const reason = lang === 'ja' ? '導入実績と価格' : 'References and price';
    await expect(page.getByText(reason, { exact: true })).toBeVisible();
    // the deal's timeline says what happened: won, with the reason
    const wonEntry = page
      .getByTestId('timeline-entry')
      .filter({ has: page.getByTestId('timeline-action').getByText(m.activities.sales.deal.won, { exact: true }) });
    await expect(wonEntry).toContainText(fill(m.activities.sales.reason, { reason }));
    await expect(page.getByRole('cell', { name: first.name })).toBeVisible();
    await expect(page.getByRole('cell', { name: won.name })).toBeVisible();
    if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-deal-ja.png', fullPage: true });
  });
});

test('the board: a drop never opens the deal, a card is edited in place, idle deals are marked rotting', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const { lang, m } = messagesFor(testInfo);
  const s = m.sales;
  await afterPlatformSpec(lang);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await signInAsAdmin(page, m, lang);
  const token = `R${Date.now().toString(36)}`;
  const [a, b] = lang === 'ja' ? ['アポ', '提案'] : ['Meeting', 'Proposal'];
  const made = await page.request.post('/api/v1/pipelines', {
    headers: await csrf(page),
    data: {
      name: token,
      rottingDays: 7,
      stages: [
        { name: a, probability: 20, kind: 'open' },
        { name: b, probability: 50, kind: 'open' },
        { name: s.pipelines.kinds.won, probability: 100, kind: 'won' },
        { name: s.pipelines.kinds.lost, probability: 0, kind: 'lost' },
      ],
    },
  });
  expect(made.status()).toBe(201);
  const pipeline = (await made.json()) as { id: string; stages: { id: string }[] };
  const title = `${token} ${lang === 'ja' ? '保守契約' : 'Support plan'}`;
  const created = await page.request.post('/api/v1/deals', {
    headers: await csrf(page),
    data: { title, amount: 300_000, pipelineId: pipeline.id, stageId: pipeline.stages[0]?.id },
  });
  expect(created.status()).toBe(201);
  const deal = (await created.json()) as { id: string };
  const columnA = page.getByRole('region', { name: a });
  const columnB = page.getByRole('region', { name: b });

  await test.step('drag the card by its title onto the next stage: it moves, and the board stays open', async () => {
    await page.goto(`/deals?pipeline=${pipeline.id}`);
    const link = columnA.getByRole('link', { name: title });
    await expect(link).toBeVisible();
    await expect(columnA.getByTestId('rotting')).toHaveCount(0);
    const from = await link.boundingBox();
    const to = await columnB.boundingBox();
    if (!from || !to) throw new Error('no boxes');
    await page.mouse.move(from.x + 10, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + 30, from.y + from.height / 2 + 5, { steps: 5 });
    await page.mouse.move(to.x + to.width / 2, to.y + 120, { steps: 25 });
    // the pointer is released over the dragged card's own title link
    await page.mouse.up();
    await expect(columnB.getByRole('link', { name: title })).toBeVisible();
    await expect(page).toHaveURL(/\/deals\?pipeline=/);
    await expect(page.getByRole('heading', { name: s.deals.title })).toBeVisible();
  });

  await test.step('quick edit from the keyboard: amount and close date, without leaving the board', async () => {
    const edit = columnB.getByRole('button', { name: fill(s.deals.quickEdit.open, { title }) });
    await edit.focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: fill(s.deals.quickEdit.title, { title }) });
    await expect(form).toBeVisible();
    await expect(form.getByRole('textbox', { name: s.deals.field.amount })).toBeFocused();
    await form.getByRole('textbox', { name: s.deals.field.amount }).fill('450000');
    await form.getByLabel(s.deals.field.closeDate).fill('2027-03-31');
    if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-quick-edit-ja.png' });
    await page.keyboard.press('Enter');
    await expect(form).toBeHidden();
    await expect(columnB.getByTestId('deal-card')).toContainText('450,000');
    await expect(columnB.getByTestId('deal-card')).toContainText('2027-03-31');
    await expect(page).toHaveURL(/\/deals\?pipeline=/);
    const saved = await (await page.request.get(`/api/v1/deals/${deal.id}`)).json();
    expect([saved.amount, saved.expectedCloseDate]).toEqual([450_000, '2027-03-31']);
  });

  await test.step('ten days later with no activity the card is marked rotting (threshold 7 days)', async () => {
    await page.clock.install({ time: new Date(Date.now() + 10 * 86_400_000 + 60_000) });
    await page.reload();
    const badge = columnB.getByTestId('rotting');
    await expect(badge).toHaveText(fill(s.deals.rotting, { count: 10 }));
    await expect(columnB.getByTestId('deal-card')).toHaveAttribute('data-rotting', 'true');
    if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-board-rotting-ja.png' });
  });
});

test('a product from the catalogue priced on a deal: percent discount rounded to the yen, the amount follows the lines', async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  const { lang, m } = messagesFor(testInfo);
  const s = m.sales;
  await afterPlatformSpec(lang);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await signInAsAdmin(page, m, lang);
  const sku = `SKU-${Date.now().toString(36)}`;
  const name = lang === 'ja' ? 'CRM スタンダード' : 'CRM Standard';

  await test.step('create the product: the margin is price minus cost', async () => {
    await nav(page).getByRole('link', { name: s.nav.products }).click();
    await expect(page.getByRole('heading', { name: s.products.title })).toBeVisible();
    await page.getByRole('button', { name: s.products.new }).click();
    const dialog = page.getByRole('dialog', { name: s.products.new });
    await dialog.getByRole('textbox', { name: s.products.field.sku }).fill(sku);
    await dialog.getByRole('textbox', { name: s.products.field.name }).fill(name);
    await dialog.getByRole('textbox', { name: s.products.field.unitPrice }).fill('3300');
    await dialog.getByRole('textbox', { name: s.products.field.cost }).fill('1100');
    await dialog.getByRole('button', { name: m.common.save }).click();
    await expect(dialog).toBeHidden();
    const row = page.getByRole('row', { name: new RegExp(sku) });
    await expect(row).toContainText('3,300');
    await expect(row).toContainText('2,200');
    if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-products-ja.png' });
  });

  await test.step('three of it at 12.5 % off on a deal: 9,900 − 1,238 = 8,662, saved as the deal amount', async () => {
    const created = await page.request.post('/api/v1/deals', { headers: await csrf(page), data: { title: `${sku} deal`, amount: 1 } });
    const deal = await created.json();
    await page.goto(`/deals/${deal.id}`);
    await expect(page.getByRole('heading', { name: `${sku} deal` })).toBeVisible();
    await page.getByRole('button', { name: s.deals.lines.add }).click();
    await page.getByRole('textbox', { name: s.deals.lines.product }).click();
    await page.getByRole('option', { name: `${sku} ${name}` }).click();
    await page.getByRole('textbox', { name: s.deals.lines.quantity }).fill('3');
    await page.getByRole('textbox', { name: s.deals.lines.discount }).click();
    await page.getByRole('option', { name: s.deals.lines.discountPercent, exact: true }).click();
    await page.getByRole('textbox', { name: s.deals.lines.discountPercent, exact: true }).fill('12.5');
    await expect(page.getByRole('cell', { name: /8,662/ })).toBeVisible();
    if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-line-items-ja.png', fullPage: true });
    await page.getByRole('button', { name: s.deals.lines.save }).click();
    await expect.poll(async () => (await (await page.request.get(`/api/v1/deals/${deal.id}`)).json()).amount).toBe(8_662);
    // gross profit: 8,662 − 3 × 1,100
    await expect(page.getByText(new RegExp(`${s.deals.lines.profit}.*5,362`))).toBeVisible();
  });
});

test('an administrator adds a pipeline and sets its stages, order and win probabilities', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const { lang, m } = messagesFor(testInfo);
  const s = m.sales;
  await afterPlatformSpec(lang);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await signInAsAdmin(page, m, lang);
  const name = lang === 'ja' ? `代理店経由 ${Date.now().toString(36)}` : `Partner deals ${Date.now().toString(36)}`;
  await nav(page).getByRole('link', { name: s.nav.deals }).click();
  await page.getByRole('link', { name: s.deals.settings }).click();
  await expect(page.getByRole('heading', { name: s.pipelines.title })).toBeVisible();
  await page.getByRole('button', { name: s.pipelines.newPipeline }).click();
  await expect(page.getByRole('textbox', { name: s.pipelines.name })).toHaveValue(s.pipelines.newPipeline);
  await page.getByRole('textbox', { name: s.pipelines.name }).fill(name);
  await page.getByRole('button', { name: s.pipelines.addStage }).click();
  const names = page.getByRole('textbox', { name: s.pipelines.stageName, exact: true });
  await names.last().fill(lang === 'ja' ? '見積' : 'Quote');
  await page.getByRole('textbox', { name: `${lang === 'ja' ? '見積' : 'Quote'} ${s.pipelines.probability}` }).fill('60');
  // the new stage goes before won and lost
  await page.getByRole('button', { name: fill(s.pipelines.up, { name: lang === 'ja' ? '見積' : 'Quote' }) }).click();
  await page.getByRole('button', { name: fill(s.pipelines.up, { name: lang === 'ja' ? '見積' : 'Quote' }) }).click();
  if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-pipeline-settings-ja.png' });
  await page.getByRole('button', { name: m.common.save }).click();
  await expect(page.getByText(s.pipelines.saved)).toBeVisible();
  const pipelines = (await (await page.request.get('/api/v1/pipelines')).json()).data as {
    name: string;
    stages: { name: string; probability: number; kind: string }[];
  }[];
  const saved = pipelines.find((p) => p.name === name);
  expect(saved?.stages.map((x) => [x.probability, x.kind])).toEqual([
    [10, 'open'],
    [60, 'open'],
    [100, 'won'],
    [0, 'lost'],
  ]);
});
