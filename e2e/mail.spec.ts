import { expect, type Page, test } from '@playwright/test';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { rawMail, startImapServer } from '../src/server/modules/activities/mail/imap.test-support';
import { fill, messagesFor } from './support/messages';
import { afterPlatformSpec } from './support/run-order';
import { signInAsAdmin } from './support/session';

// Runs after platform.spec.ts in each project. The mail provider is an SMTP server started by this test;
// inbound mail goes to the app's built-in receiver (MAIL_INBOUND_PORT in playwright.config.ts).
// The servers' inbound SMTP receivers (playwright.config.ts: E2E_PORT_BASE + 2 and + 3).
const portBase = Number(process.env.E2E_PORT_BASE ?? 4610);
const INBOUND_PORT = { ja: portBase + 2, en: portBase + 3 } as const;

async function csrf(page: Page) {
  const session = await (await page.request.get('/api/v1/auth/session')).json();
  return { 'x-csrf-token': session.csrfToken as string };
}

function startProvider() {
  const received: Buffer[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks));
        callback();
      });
    },
  });
  return new Promise<{ port: number; received: Buffer[]; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.server.address() as { port: number }).port,
        received,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

test('the admin sets up SMTP, composes from a person with a template, and an unknown sender is reviewed', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const { lang, m } = messagesFor(testInfo);
  const t = m.mail;
  await afterPlatformSpec(lang);
  await page.setViewportSize({ width: 1440, height: 1000 });
  const provider = await startProvider();
  try {
    await signInAsAdmin(page, m, lang);
    const suffix = Date.now().toString(36);

    await test.step('mail settings: SMTP to the test provider, the BCC address shown', async () => {
      await page.getByRole('navigation').first().getByRole('link', { name: t.nav }).click();
      await page.getByRole('tab', { name: t.tabs.settings }).click();
      // The IMAP section below has its own server and port fields.
      const smtp = page.locator('section').filter({ has: page.getByRole('heading', { name: t.settings.smtpTitle }) });
      await smtp.getByLabel(t.settings.host).fill('127.0.0.1');
      await smtp.getByLabel(t.settings.port).fill(String(provider.port));
      await smtp.getByRole('textbox', { name: t.settings.security }).click();
      await page.getByRole('option', { name: t.settings.securityOptions.none }).click();
      await page.getByLabel(t.settings.fromAddress).fill('sales@example.jp');
      await page.getByLabel(t.settings.fromName).fill(lang === 'ja' ? '営業部' : 'Sales');
      await page.getByTestId('smtp-save').click();
      await expect(page.getByTestId('smtp-status')).toHaveText(t.settings.configured);
      await expect(page.getByText(t.settings.receiverOn)).toBeVisible();
      await expect(page.getByRole('textbox', { name: t.settings.inboundAddress })).toHaveValue(/^[a-z0-9]{20}@in\.crm-e2e\.example$/);
      if (lang === 'ja') await page.screenshot({ path: 'test-results/mail-settings-ja.png', fullPage: true });
    });

    const templateName = lang === 'ja' ? `ご案内 ${suffix}` : `Intro ${suffix}`;
    await test.step('a template with merge fields', async () => {
      await page.getByRole('tab', { name: t.tabs.templates }).click();
      await page.getByTestId('template-add').click();
      const dialog = page.getByRole('dialog', { name: t.templates.add });
      await dialog.getByLabel(t.templates.name).fill(templateName);
      await dialog
        .getByLabel(t.templates.subject)
        .fill(lang === 'ja' ? '{{会社名}} {{姓}}様 ご案内' : '{{company}}: hello {{family_name}}');
      await dialog
        .getByLabel(t.templates.body)
        .fill(
          lang === 'ja'
            ? '{{姓}} {{名}} 様\n\n新商品のご案内です。\n{{差出人}}'
            : 'Dear {{given_name}} {{family_name}},\n\nOur new product.\n{{sender}}',
        );
      await dialog.getByTestId('template-save').click();
      await expect(dialog).toBeHidden();
      await expect(page.getByRole('cell', { name: templateName })).toBeVisible();
    });

    const h = await csrf(page);
    const company = await (
      await page.request.post('/api/v1/companies', { headers: h, data: { name: `株式会社メール ${suffix}`, ignoreDuplicates: true } })
    ).json();
    const address = `kimura.${suffix}@customer.example`;
    const person = await (
      await page.request.post('/api/v1/people', {
        headers: h,
        data: {
          familyName: '木村',
          givenName: lang === 'ja' ? '拓也' : 'Takuya',
          companyId: company.id,
          emails: [{ address }],
          ignoreDuplicates: true,
        },
      })
    ).json();
    const expectedSubject = lang === 'ja' ? `株式会社メール ${suffix} 木村様 ご案内` : `株式会社メール ${suffix}: hello 木村`;

    await test.step('compose from the person page with the template and a PDF; the mail leaves with it and lands on the timeline', async () => {
      await page.goto(`/people/${person.id}`);
      await page.getByTestId('compose-email').click();
      const dialog = page.getByRole('dialog', { name: fill(t.compose.title, { name: person.displayName }) });
      await dialog.getByRole('textbox', { name: t.compose.template }).click();
      await page.getByRole('option', { name: templateName }).click();
      await expect(dialog.getByTestId('compose-preview')).toContainText(expectedSubject);
      await expect(dialog.getByTestId('compose-preview')).toContainText(lang === 'ja' ? '木村 拓也 様' : 'Dear Takuya 木村');
      // A quotation with a Japanese file name, picked with the attach button; sending waits for its upload.
      const filename = lang === 'ja' ? `御見積書_${suffix}.pdf` : `quotation_${suffix}.pdf`;
      const pdf = Buffer.from(`%PDF-1.4\n% ${suffix}\n%%EOF\n`);
      const chooser = page.waitForEvent('filechooser');
      await dialog.getByRole('button', { name: t.compose.attach }).click();
      await (await chooser).setFiles({ name: filename, mimeType: 'application/pdf', buffer: pdf });
      await expect(dialog.getByRole('button', { name: fill(t.compose.removeAttachment, { name: filename }) })).toBeVisible();
      await expect(dialog.getByTestId('compose-send')).toBeEnabled();
      if (lang === 'ja') await page.screenshot({ path: 'test-results/mail-compose-ja.png' });
      await dialog.getByTestId('compose-send').click();
      await expect(dialog).toBeHidden();
      const entry = page.getByTestId('timeline-entry').filter({ hasText: expectedSubject });
      await expect(entry).toHaveAttribute('data-kind', 'email');
      await expect(entry.getByRole('link', { name: filename })).toBeVisible();
      expect(provider.received).toHaveLength(1);
      const mail = await simpleParser(provider.received[0]!);
      expect(mail.subject).toBe(expectedSubject);
      expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toContain(address);
      expect(mail.attachments.map((a) => [a.filename, a.content.equals(pdf)])).toEqual([[filename, true]]);
    });

    await test.step('mail from an unknown sender reaches the review list; creating the person files it on their timeline', async () => {
      const settings = await (await page.request.get('/api/v1/mail/settings')).json();
      const client = nodemailer.createTransport({ host: '127.0.0.1', port: INBOUND_PORT[lang], secure: false, ignoreTLS: true });
      const sender = `newcomer.${suffix}@prospect.example`;
      const subject = lang === 'ja' ? `資料請求 ${suffix}` : `Brochure request ${suffix}`;
      await client.sendMail({
        from: `${lang === 'ja' ? '新井 花子' : 'Hanako Arai'} <${sender}>`,
        to: 'sales@example.jp',
        envelope: { from: sender, to: [settings.inbound.address] },
        subject,
        text: 'Please send the brochure.',
        html: '<p>資料を<b>お送りください</b><script>alert(1)</script><img src="https://tracker.example/x.gif"></p>',
      });
      client.close();
      await page.goto('/mail/review');
      const row = page.getByTestId('review-row').filter({ hasText: subject });
      await expect(row).toBeVisible();
      if (lang === 'ja') await page.screenshot({ path: 'test-results/mail-review-ja.png', fullPage: true });

      await row.getByRole('link', { name: subject }).click();
      await expect(page.getByRole('heading', { name: subject })).toBeVisible();
      const frame = page.getByTestId('email-html');
      await expect(frame).toHaveAttribute('sandbox', '');
      await expect(page.frameLocator('[data-testid="email-html"]').locator('b')).toHaveText('お送りください');
      await expect(page.getByText(t.email.remoteBlocked)).toBeVisible();
      if (lang === 'ja') await page.screenshot({ path: 'test-results/mail-thread-ja.png', fullPage: true });
      await page.goBack();

      await page.getByTestId('review-row').filter({ hasText: subject }).getByRole('button', { name: t.review.createPerson }).click();
      const dialog = page.getByRole('dialog', { name: t.review.createPerson });
      await expect(dialog.getByLabel(t.review.emailAddress)).toHaveValue(sender);
      await dialog.getByTestId('review-create-submit').click();
      await expect(dialog).toBeHidden();
      await expect(page.getByTestId('review-row').filter({ hasText: subject })).toHaveCount(0);
      const found = await (await page.request.get(`/api/v1/search?q=${encodeURIComponent(sender)}`)).json();
      expect(found.people).toHaveLength(1);
      const created = found.people[0];
      await page.goto(`/people/${created.id}`);
      await expect(page.getByTestId('timeline-entry').filter({ hasText: subject })).toHaveAttribute('data-kind', 'email');
    });

    await test.step('mail from a second address of a known person: linked to the existing person, the address added', async () => {
      const settings = await (await page.request.get('/api/v1/mail/settings')).json();
      const client = nodemailer.createTransport({ host: '127.0.0.1', port: INBOUND_PORT[lang], secure: false, ignoreTLS: true });
      const privateAddress = `kimura.home.${suffix}@home.example`;
      const subject = lang === 'ja' ? `自宅から ${suffix}` : `From home ${suffix}`;
      await client.sendMail({
        from: privateAddress,
        to: 'sales@example.jp',
        envelope: { from: privateAddress, to: [settings.inbound.address] },
        subject,
        text: 'x',
      });
      client.close();
      await page.goto('/mail/review');
      await page.getByTestId('review-row').filter({ hasText: subject }).getByRole('button', { name: t.review.link }).click();
      const dialog = page.getByRole('dialog', { name: t.review.link });
      await dialog.getByRole('textbox', { name: t.review.personSearch }).fill(`kimura.${suffix}`);
      await page.getByRole('option', { name: new RegExp(`kimura\\.${suffix}`) }).click();
      await dialog.getByTestId('review-link-submit').click();
      await expect(dialog).toBeHidden();
      await expect(page.getByTestId('review-row').filter({ hasText: subject })).toHaveCount(0);
      const updated = await (await page.request.get(`/api/v1/people/${person.id}`)).json();
      expect(updated.emails.map((e: { address: string }) => e.address)).toContain(privateAddress);
      await page.goto(`/people/${person.id}`);
      await expect(page.getByTestId('timeline-entry').filter({ hasText: subject })).toHaveAttribute('data-kind', 'email');
    });
  } finally {
    // Other journeys of the run share this workspace: leave it without SMTP rather than pointing at a closed port.
    const current = await page.request.get('/api/v1/mail/settings');
    if (current.ok()) {
      const { version } = await current.json();
      await page.request.patch('/api/v1/mail/settings', { headers: await csrf(page), data: { version, smtp: { host: null } } });
    }
    await provider.close();
  }
});

test('the admin connects a mailbox over IMAP: the connection test counts its mail, a check files it on the customer', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const { lang, m } = messagesFor(testInfo);
  const t = m.mail.settings.imap;
  await afterPlatformSpec(lang);
  await page.setViewportSize({ width: 1440, height: 1000 });
  const imap = await startImapServer();
  try {
    await signInAsAdmin(page, m, lang);
    const suffix = Date.now().toString(36);
    const address = `inoue.${suffix}@customer.example`;
    const person = await (
      await page.request.post('/api/v1/people', {
        headers: await csrf(page),
        data: { familyName: '井上', givenName: lang === 'ja' ? '真一' : 'Shinichi', emails: [{ address }], ignoreDuplicates: true },
      })
    ).json();
    const subject = lang === 'ja' ? `お見積りの件 ${suffix}` : `About the quotation ${suffix}`;
    imap.append(rawMail({ from: address, to: 'sales@example.jp', subject }));
    imap.append(rawMail({ from: `someone.${suffix}@elsewhere.example`, to: 'sales@example.jp', subject: `${subject} (2)` }));

    await page.getByRole('navigation').first().getByRole('link', { name: m.mail.nav }).click();
    await page.getByRole('tab', { name: m.mail.tabs.settings }).click();
    const section = page.locator('section').filter({ has: page.getByRole('heading', { name: t.title }) });
    await section.getByLabel(t.host).fill('127.0.0.1');
    await section.getByLabel(t.port).fill(String(imap.port));
    await section.getByLabel(t.tls).uncheck();
    await section.getByLabel(t.user).fill(imap.user);
    await section.getByLabel(t.password, { exact: true }).fill(imap.password);
    await section.getByTestId('imap-save').click();
    await expect(page.getByText(t.saved)).toBeVisible();

    await section.getByRole('button', { name: t.test }).click();
    await expect(section.getByText(fill(t.testOk, { mailbox: 'INBOX', count: 2 }))).toBeVisible();
    await section.getByRole('button', { name: t.pollNow }).click();
    await expect(section.getByText(fill(t.polled, { stored: 2, duplicates: 0, skipped: 0 }))).toBeVisible();
    await expect(section.getByTestId('imap-last-polled')).not.toContainText(t.never);
    if (lang === 'ja') await page.screenshot({ path: 'test-results/mail-imap-ja.png', fullPage: true });
    // Read-only: the mailbox still holds both messages.
    expect(imap.messages()).toHaveLength(2);

    await page.goto(`/people/${person.id}`);
    await expect(page.getByTestId('timeline-entry').filter({ hasText: subject }).first()).toHaveAttribute('data-kind', 'email');
    await page.goto('/mail/review');
    await expect(page.getByTestId('review-row').filter({ hasText: `${subject} (2)` })).toBeVisible();
  } finally {
    // Other journeys share this workspace: leave IMAP unconfigured rather than pointing at a closed port.
    const current = await page.request.get('/api/v1/mail/settings');
    if (current.ok()) {
      const { version } = await current.json();
      await page.request.patch('/api/v1/mail/settings', {
        headers: await csrf(page),
        data: { version, imap: { enabled: false, host: null, user: null, password: null } },
      });
    }
    await imap.close();
  }
});
