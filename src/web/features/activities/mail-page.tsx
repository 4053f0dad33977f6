import { Tabs } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { useCan } from '../../app/session';
import { PageHeader } from '../../ui/page-header';
import { MailReviewPanel } from './mail-review';
import { MailSettingsPanel } from './mail-settings';
import { MailTemplatesPanel } from './mail-templates';

/** /mail/review, /mail/templates, /mail/settings (administrators): one page with a tab each. */
export function MailPage() {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const tab = pathname.split('/')[2] || 'review';
  return (
    <>
      <PageHeader title={t('mail.title')} />
      <Tabs value={tab} onChange={(v) => navigate(`/mail/${v ?? 'review'}`)} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="review">{t('mail.tabs.review')}</Tabs.Tab>
          <Tabs.Tab value="templates">{t('mail.tabs.templates')}</Tabs.Tab>
          {can('workspace.manage') && <Tabs.Tab value="settings">{t('mail.tabs.settings')}</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="review">
          <MailReviewPanel />
        </Tabs.Panel>
        <Tabs.Panel value="templates">
          <MailTemplatesPanel />
        </Tabs.Panel>
        {can('workspace.manage') && (
          <Tabs.Panel value="settings">
            <MailSettingsPanel />
          </Tabs.Panel>
        )}
      </Tabs>
    </>
  );
}
