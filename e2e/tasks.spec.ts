import { expect, type Page, test } from '@playwright/test';
import { addDays, localDate, zonedInstant } from '../src/shared/zoned-time';
import { fill, messagesFor } from './support/messages';
import { afterPlatformSpec } from './support/run-order';
import { signInAsAdmin } from './support/session';

// Runs after platform.spec.ts in each project (that file needs the fresh server's set-up screen).

async function csrf(page: Page) {
  const session = await (await page.request.get('/api/v1/auth/session')).json();
  return { 'x-csrf-token': session.csrfToken as string };
}

test('a task created on a person page is linked to them, shows under today in my tasks, and is completed there', async ({
  page,
  playwright,
}, testInfo) => {
  test.setTimeout(180_000);
  const { lang, m } = messagesFor(testInfo);
  const tk = m.tasks;
  await afterPlatformSpec(lang);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await signInAsAdmin(page, m, lang);

  const created = await page.request.post('/api/v1/people', {
    headers: await csrf(page),
    data: { familyName: '高橋', givenName: lang === 'ja' ? '健一' : 'Kenichi', ignoreDuplicates: true },
  });
  expect(created.status()).toBe(201);
  const person = await created.json();
  const title = lang === 'ja' ? `見積書を送る ${Date.now().toString(36)}` : `Send the quote ${Date.now().toString(36)}`;
  const today = localDate(new Date(), 'Asia/Tokyo');

  await test.step('add a task from the person page: it comes linked to the person', async () => {
    await page.goto(`/people/${person.id}`);
    await expect(page.getByRole('heading', { name: person.displayName })).toBeVisible();
    await page.getByTestId('add-task').click();
    const dialog = page.getByRole('dialog', { name: tk.add });
    await expect(dialog.getByText(person.displayName)).toBeVisible();
    await dialog.getByRole('textbox', { name: tk.fields.title }).fill(title);
    await dialog.getByLabel(tk.fields.dueDate).fill(today);
    await dialog.getByLabel(tk.fields.dueTime).fill('18:00');
    await dialog.getByText(tk.priority.high, { exact: true }).click();
    await page.screenshot({ path: `test-results/tasks-modal-${lang}.png` });
    await dialog.getByRole('button', { name: m.common.save }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText(tk.saved)).toBeVisible();
    // The record's open tasks, on the person page.
    await expect(page.getByTestId('record-tasks').getByText(title)).toBeVisible();
  });

  await test.step('my tasks lists it under today, with the person', async () => {
    await page.getByRole('link', { name: tk.nav }).first().click();
    await expect(page.getByRole('heading', { name: tk.title })).toBeVisible();
    const todaySection = page.getByTestId('tasks-today');
    const item = todaySection.getByTestId('task-item').filter({ hasText: title });
    await expect(item).toBeVisible();
    await expect(item.getByRole('link', { name: person.displayName })).toBeVisible();
    await expect(item.getByText(tk.priority.high, { exact: true })).toBeVisible();
    await page.screenshot({ path: `test-results/tasks-page-${lang}.png`, fullPage: true });
  });

  await test.step('a notification link /tasks?task=<id> opens that task', async () => {
    const list = await (await page.request.get('/api/v1/tasks?bucket=today')).json();
    const task = list.data.find((x: { title: string }) => x.title === title);
    await page.goto(`/tasks?task=${task.id}`);
    const dialog = page.getByRole('dialog', { name: tk.edit });
    await expect(dialog.getByRole('textbox', { name: tk.fields.title })).toHaveValue(title);
    await dialog.getByRole('button', { name: m.common.cancel }).click();
    await expect(dialog).toBeHidden();
    await expect(page).toHaveURL(/\/tasks$/);
  });

  await test.step('complete it: it leaves today and shows under done', async () => {
    const item = page.getByTestId('tasks-today').getByTestId('task-item').filter({ hasText: title });
    // The box follows the server: it is ticked once the task is done, so click rather than check().
    await item.getByRole('checkbox', { name: fill(tk.completeTask, { title }) }).click();
    await expect(page.getByText(tk.completed)).toBeVisible();
    await expect(page.getByTestId('tasks-today').getByText(title)).toHaveCount(0);
    await page.getByRole('tab', { name: tk.buckets.done }).click();
    await expect(page.getByTestId('tasks-done').getByText(title)).toBeVisible();
  });

  await test.step('everyone’s tasks: a teammate’s task shows with their name, and the choice can go back to mine', async () => {
    // A new rep joins through an invitation (in a request context of their own: the admin stays signed in).
    const email = `rep.${lang}.${Date.now().toString(36)}@example.jp`;
    const invite = await page.request.post('/api/v1/invitations', { headers: await csrf(page), data: { email, role: 'member' } });
    expect(invite.status()).toBe(201);
    const token = ((await invite.json()).url as string).split('/').pop();
    const rep = await playwright.request.newContext({ baseURL: testInfo.project.use.baseURL });
    const repName = lang === 'ja' ? '営業 花子' : 'Hanako Sales';
    const joined = await rep.post('/api/v1/invitations/accept', { data: { token, name: repName, password: 'rep-password-12345' } });
    expect(joined.status()).toBe(201);
    await rep.dispose();
    const users = (await (await page.request.get('/api/v1/users')).json()).data as { id: string; email: string }[];
    const repId = users.find((u) => u.email === email)?.id;
    const theirs = lang === 'ja' ? `折り返し電話 ${Date.now().toString(36)}` : `Call back ${Date.now().toString(36)}`;
    const res = await page.request.post('/api/v1/tasks', { headers: await csrf(page), data: { title: theirs, assigneeId: repId } });
    expect(res.status()).toBe(201);

    await page.goto('/tasks');
    await expect(page.getByTestId('tasks-nodate').getByText(theirs)).toHaveCount(0);
    const whose = page.getByRole('textbox', { name: tk.whose.label });
    await whose.click();
    await page.getByRole('option', { name: tk.whose.any }).click();
    const item = page.getByTestId('tasks-nodate').getByTestId('task-item').filter({ hasText: theirs });
    await expect(item).toBeVisible();
    await expect(item.getByText(fill(tk.assignedTo, { name: repName }))).toBeVisible();
    await expect(page).toHaveURL(/assignee=any/);
    await whose.click();
    await page.getByRole('option', { name: repName }).click();
    await expect(item).toBeVisible();
    await whose.click();
    await page.getByRole('option', { name: tk.whose.me }).click();
    await expect(page.getByTestId('tasks-nodate').getByText(theirs)).toHaveCount(0);
  });

  await test.step('the calendar shows the task on today', async () => {
    await page.goto('/tasks/calendar');
    await expect(page.getByRole('heading', { name: tk.calendar })).toBeVisible();
    await expect(page.getByTestId(`day-${today}`).getByText(title)).toBeVisible();
    await page.screenshot({ path: `test-results/tasks-calendar-${lang}.png`, fullPage: true });
  });

  await test.step('drag a task to the next day on the calendar: same time, new day', async () => {
    // The next Tuesday (always in the future), dragged to Wednesday: both in one week view.
    const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
    let tuesday = addDays(today, 1);
    while (weekday(tuesday) !== 2) tuesday = addDays(tuesday, 1);
    const wednesday = addDays(tuesday, 1);
    const movable = lang === 'ja' ? `訪問の準備 ${Date.now().toString(36)}` : `Prepare the visit ${Date.now().toString(36)}`;
    const res = await page.request.post('/api/v1/tasks', {
      headers: await csrf(page),
      data: { title: movable, dueAt: zonedInstant(tuesday, '20:00', 'Asia/Tokyo').toISOString() },
    });
    expect(res.status()).toBe(201);
    const task = await res.json();
    await page.reload();
    await page.getByText(tk.cal.week, { exact: true }).click();
    if ((await page.getByTestId(`day-${tuesday}`).count()) === 0) await page.getByRole('button', { name: tk.cal.next }).click();
    const chip = page.getByTestId(`day-${tuesday}`).getByTestId('calendar-task').filter({ hasText: movable });
    await expect(chip).toBeVisible();
    const target = page.getByTestId(`day-${wednesday}`);
    const from = await chip.boundingBox();
    const to = await target.boundingBox();
    if (!from || !to) throw new Error('calendar not laid out');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + 40, { steps: 12 });
    await page.mouse.up();
    await expect(target.getByTestId('calendar-task').filter({ hasText: movable })).toBeVisible();
    const moved = await (await page.request.get(`/api/v1/tasks/${task.id}`)).json();
    expect(moved.dueAt).toBe(zonedInstant(wednesday, '20:00', 'Asia/Tokyo').toISOString());
    await page.screenshot({ path: `test-results/tasks-calendar-week-${lang}.png`, fullPage: true });
  });

  await test.step('settings: turn the digest on and get a calendar feed URL that serves the task', async () => {
    await page.goto('/settings?tab=notifications');
    const card = page.getByTestId('tasks-settings');
    await card.getByRole('switch', { name: tk.settings.digest }).click({ force: true });
    await expect(card.getByRole('switch', { name: tk.settings.digest })).toBeChecked();
    await expect(page.getByText(tk.settings.saved).first()).toBeVisible();
    await card.getByRole('button', { name: tk.settings.feedCreate }).click();
    const url = await card.getByRole('textbox', { name: tk.settings.feedUrl }).inputValue();
    expect(url).toMatch(/\/api\/v1\/calendar\/[A-Za-z0-9_-]+\.ics$/);
    const ics = await page.request.get(url);
    expect(ics.status()).toBe(200);
    expect(await ics.text()).toContain('BEGIN:VCALENDAR');
    await page.screenshot({ path: `test-results/tasks-settings-${lang}.png`, fullPage: true });
  });
});
