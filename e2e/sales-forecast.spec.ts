import { expect, type Page, test } from '@playwright/test';
import { messagesFor } from './support/messages';
import { afterPlatformSpec } from './support/run-order';
import { signInAsAdmin } from './support/session';

// Runs after sales.spec.ts in each language's chain; its deals live in their own pipeline so other journeys'
// won deals of this month do not change the figures asserted here.

const nav = (page: Page) => page.getByRole('navigation').first();

async function csrf(page: Page) {
  const session = await (await page.request.get('/api/v1/auth/session')).json();
  return { 'x-csrf-token': session.csrfToken as string };
}

test('a manager sets this month’s target and sees the forecast, attainment and the dashboard', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const { lang, m } = messagesFor(testInfo);
  const s = m.sales.forecast;
  await afterPlatformSpec(lang);
  await page.setViewportSize({ width: 1600, height: 1100 });
  await signInAsAdmin(page, m, lang);
  const month = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit' }).format(new Date());
  const [y, mo] = month.split('-').map(Number) as [number, number];
  const monthLabel =
    lang === 'ja'
      ? `${y}年${mo}月`
      : new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(Date.UTC(y, mo - 1, 1));
  const pipelineName = lang === 'ja' ? `予測テスト ${Date.now().toString(36)}` : `Forecast test ${Date.now().toString(36)}`;

  await test.step('deals of this month in a pipeline of their own: one won, one committed', async () => {
    const headers = await csrf(page);
    const created = await page.request.post('/api/v1/pipelines', {
      headers,
      data: {
        name: pipelineName,
        stages: [
          { name: lang === 'ja' ? '提案' : 'Proposal', probability: 50, kind: 'open' },
          { name: lang === 'ja' ? '受注' : 'Won', probability: 100, kind: 'won' },
        ],
      },
    });
    expect(created.status()).toBe(201);
    const pipeline = await created.json();
    const [open, won] = pipeline.stages as { id: string }[];
    const deal = async (title: string, amount: number, forecastCategory: string) => {
      const res = await page.request.post('/api/v1/deals', {
        headers,
        data: { title, amount, pipelineId: pipeline.id, stageId: open?.id, expectedCloseDate: `${month}-20`, forecastCategory },
      });
      expect(res.status()).toBe(201);
      return res.json();
    };
    const toWin = await deal(lang === 'ja' ? '受注する商談' : 'Deal to win', 2_500_000, 'commit');
    await deal(lang === 'ja' ? 'コミット商談' : 'Committed deal', 1_000_000, 'commit');
    const moved = await page.request.post(`/api/v1/deals/${toWin.id}/move`, {
      headers,
      data: { version: toWin.version, stageId: won?.id, closeReason: lang === 'ja' ? '価格' : 'Price' },
    });
    expect(moved.status()).toBe(200);
  });

  await test.step('set the company target of this month in the targets editor', async () => {
    await nav(page).getByRole('link', { name: s.nav }).click();
    await expect(page.getByRole('heading', { name: s.title })).toBeVisible();
    await page.getByRole('button', { name: s.targets.edit }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText(s.targets.title);
    await dialog.getByRole('textbox', { name: monthLabel }).fill('10000000');
    await dialog.getByRole('button', { name: m.common.save }).click();
    await expect(dialog).toBeHidden();
  });

  await test.step('the forecast of the pipeline shows target, closed won, commit and 25.0 % attainment', async () => {
    await page.getByRole('textbox', { name: s.pipeline }).click();
    await page.getByRole('option', { name: pipelineName }).click();
    const summary = page.getByRole('table', { name: s.summary });
    await expect(summary.getByRole('row', { name: s.metric.attainment })).toContainText('25.0%');
    await expect(summary.getByRole('row', { name: s.metric.target })).toContainText('10,000,000');
    await expect(summary.getByRole('row', { name: s.metric.won, exact: false }).first()).toContainText('2,500,000');
    await expect(summary.getByRole('row', { name: s.metric.commit })).toContainText('1,000,000');
    if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-forecast-ja.png', fullPage: true });
  });

  await test.step('grouped by owner, the admin’s row carries the won amount', async () => {
    await page.getByRole('textbox', { name: s.groupBy.label }).click();
    await page.getByRole('option', { name: s.groupBy.owner }).click();
    const byOwner = page.getByRole('table', { name: s.byGroup.replace('{{group}}', s.groupBy.owner) });
    await expect(byOwner).toContainText('2,500,000');
  });

  await test.step('the sales dashboard shows this month against the target for the pipeline', async () => {
    await nav(page).getByRole('link', { name: s.dashboard.nav }).click();
    await expect(page.getByRole('heading', { name: s.dashboard.title })).toBeVisible();
    await page.getByRole('textbox', { name: s.pipeline }).click();
    await page.getByRole('option', { name: pipelineName }).click();
    await expect(page.getByText('25.0%').first()).toBeVisible();
    await expect(page.getByRole('table', { name: s.dashboard.reps })).toContainText('2,500,000');
    if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-dashboard-ja.png', fullPage: true });
  });
});
