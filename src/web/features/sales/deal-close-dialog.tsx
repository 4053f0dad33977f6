import { Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Stage } from '../../../shared/contracts/sales';
import { ErrorAlert } from '../../ui/error-alert';
import { useSalesSettings } from './forecast-api';

/**
 * 受注/失注: asks the reason (and the competitor) before a deal enters a won or lost stage. The reason is optional
 * unless an administrator requires it (sales settings).
 */
export function DealCloseDialog({
  stage,
  onConfirm,
  onClose,
  pending,
  error,
}: {
  stage: Stage;
  onConfirm: (v: { closeReason: string | null; competitor: string | null }) => void;
  onClose: () => void;
  pending?: boolean;
  error?: unknown;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [competitor, setCompetitor] = useState('');
  const won = stage.kind === 'won';
  const settings = useSalesSettings();
  const required = settings.data?.closeReasonRequired ?? false;
  const ready = !required || !!reason.trim();
  return (
    <Modal opened onClose={onClose} title={t(won ? 'sales.deals.close.wonTitle' : 'sales.deals.close.lostTitle')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) onConfirm({ closeReason: reason.trim() || null, competitor: competitor.trim() || null });
        }}
      >
        <Stack>
          <Textarea
            label={t(won ? 'sales.deals.close.reasonWon' : 'sales.deals.close.reasonLost')}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            required={required}
            description={required ? undefined : t('sales.deals.close.optional')}
            autosize
            minRows={2}
            data-autofocus
          />
          <TextInput label={t('sales.deals.close.competitor')} value={competitor} onChange={(e) => setCompetitor(e.currentTarget.value)} />
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={pending} disabled={!ready || settings.isPending}>
              {t('sales.deals.close.confirm')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
