import { expect, type Page, test } from '@playwright/test';
import { fill, messagesFor } from './support/messages';
import { afterPlatformSpec } from './support/run-order';
import { signInAsAdmin } from './support/session';

// Runs after sales.spec.ts in each project. The rule it makes only matches its own lead's channel and is deleted at
// the end, so later journeys in the same workspace keep creating records for themselves.

const PASSWORD = 'assignment-password-1';

async function csrf(page: Page) {
  const session = await (await page.request.get('/api/v1/auth/session')).json();
  return { 'x-csrf-token': session.csrfToken as string };
}

test('an administrator adds a round-robin rule and a new lead goes to the team’s rep, its timeline naming the rule', async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  const { lang, m, locale } = messagesFor(testInfo);
  const a = m.assignment;
  await afterPlatformSpec(lang);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await signInAsAdmin(page, m, lang);
  const token = Date.now().toString(36);
  const repName = lang === 'ja' ? `割当 担当${token}` : `Rep ${token}`;
  const teamName = lang === 'ja' ? `インサイドセールス${token}` : `Inside sales ${token}`;
  const ruleName = lang === 'ja' ? `展示会リード ${token}` : `Trade show leads ${token}`;
  const channel = `expo-${token}`;
  const family = lang === 'ja' ? `割当${token}` : `Assign${token}`;

  await test.step('a rep joins a team (through the API)', async () => {
    const email = `assign.${token}@example.jp`;
    const inv = await page.request.post('/api/v1/invitations', { headers: await csrf(page), data: { email, role: 'member' } });
    expect(inv.status()).toBe(201);
    const inviteToken = String((await inv.json()).url).split('/invite/')[1];
    const context = await browser.newContext({ baseURL: String(testInfo.project.use.baseURL), locale });
    const accepted = await context.request.post('/api/v1/invitations/accept', {
      data: { token: inviteToken, name: repName, password: PASSWORD },
    });
    expect(accepted.status()).toBe(201);
    await context.close();
    const users = (await (await page.request.get('/api/v1/users')).json()).data as { id: string; email: string }[];
    const rep = users.find((u) => u.email === email);
    const team = await page.request.post('/api/v1/teams', { headers: await csrf(page), data: { name: teamName, memberIds: [rep?.id] } });
    expect(team.status()).toBe(201);
  });

  await test.step('create a round-robin rule for the team on the assignment rules page', async () => {
    await page.getByRole('navigation').first().getByRole('link', { name: a.nav }).click();
    await expect(page.getByRole('heading', { name: a.title })).toBeVisible();
    await page.getByRole('button', { name: a.newRule }).click();
    const dialog = page.getByRole('dialog', { name: a.newRule });
    await dialog.getByRole('textbox', { name: a.field.name }).fill(ruleName);
    await expect(dialog.getByRole('textbox', { name: a.field.method })).toHaveValue(a.methods.round_robin);
    await dialog.getByRole('textbox', { name: a.field.team }).click();
    await page.getByRole('option', { name: teamName }).click();
    await dialog.getByRole('textbox', { name: a.field.channel }).fill(channel);
    if (lang === 'ja') await page.screenshot({ path: 'test-results/sales-assignment-rule-ja.png' });
    await dialog.getByRole('button', { name: m.common.create }).click();
    await expect(dialog).toBeHidden();
    const row = page.getByTestId('assignment-rule-row').filter({ hasText: ruleName });
    await expect(row).toBeVisible();
    await expect(row).toContainText(fill(a.describe.round_robin, { team: teamName }));
  });

  await test.step('a lead created without an owner is assigned to the rep, and its timeline says by which rule', async () => {
    await page.getByRole('navigation').first().getByRole('link', { name: m.sales.nav.leads }).click();
    await page.getByRole('button', { name: m.sales.leads.new }).click();
    const dialog = page.getByRole('dialog', { name: m.sales.leads.new });
    await dialog.getByRole('textbox', { name: m.sales.leads.field.familyName }).fill(family);
    await dialog.getByRole('textbox', { name: m.sales.leads.field.channel }).fill(channel);
    await dialog.getByRole('button', { name: m.common.create }).click();
    await expect(page.getByRole('heading', { name: family })).toBeVisible();
    // the owner field (the rep's name also sits in the timeline's member filter)
    await expect(page.locator('#main').getByText(repName, { exact: true }).first()).toBeVisible();
    // Two hops of the event relay (lead.assigned → the timeline entry → timeline.added): slow on a loaded machine.
    await expect(
      page
        .getByTestId('timeline-action')
        .filter({ hasText: fill(m.activities.sales.lead.assigned, { rule: ruleName, assignee: repName }) }),
    ).toBeVisible({ timeout: 30_000 });
  });

  await test.step('delete the rule: the shared workspace goes on without it', async () => {
    await page.getByRole('navigation').first().getByRole('link', { name: a.nav }).click();
    await page.getByRole('button', { name: fill(a.remove, { name: ruleName }) }).click();
    await page.getByRole('dialog').getByRole('button', { name: m.common.delete }).click();
    await expect(page.getByTestId('assignment-rule-row').filter({ hasText: ruleName })).toHaveCount(0);
  });
});
