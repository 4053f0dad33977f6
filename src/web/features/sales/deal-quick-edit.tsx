import { ActionIcon, Button, Group, Popover, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPencil } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { ErrorAlert } from '../../ui/error-alert';
import { MoneyInput } from '../../ui/money';
import { useUsers } from '../customers/customers-api';
import { type Deal, salesKeys } from './sales-api';

/**
 * クイック編集: amount, expected close date and owner of a card, in a popover on the board (the page stays where it
 * is). Keyboard: the pencil button opens it, focus stays inside until Esc or save, then returns to the button.
 */
export function DealQuickEdit({ deal }: { deal: Deal }) {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      onDismiss={() => setOpened(false)}
      trapFocus
      returnFocus
      withArrow
      position="bottom-end"
      width={260}
      shadow="md"
    >
      <Popover.Target>
        <ActionIcon
          variant="subtle"
          size="sm"
          aria-label={t('sales.deals.quickEdit.open', { title: deal.title })}
          onClick={() => setOpened((o) => !o)}
          data-testid="quick-edit"
        >
          <IconPencil size={14} />
        </ActionIcon>
      </Popover.Target>
      {/* the dropdown is portalled but React bubbles its events to the card: keep them from starting a drag */}
      <Popover.Dropdown onPointerDown={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
        {opened && <QuickEditForm deal={deal} onDone={() => setOpened(false)} />}
      </Popover.Dropdown>
    </Popover>
  );
}

function QuickEditForm({ deal, onDone }: { deal: Deal; onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const users = useUsers();
  const [amount, setAmount] = useState<number | null>(deal.amount);
  const [closeDate, setCloseDate] = useState(deal.expectedCloseDate ?? '');
  const [ownerId, setOwnerId] = useState<string | null>(deal.ownerId);
  const save = useMutation({
    mutationFn: () =>
      http.patch<Deal>(`/api/v1/deals/${deal.id}`, {
        version: deal.version,
        // an amount computed from line items is not edited here
        ...(deal.hasLineItems ? {} : { amount: amount ?? 0 }),
        expectedCloseDate: closeDate || null,
        ownerId,
      }),
    onSuccess: () => {
      notifications.show({ message: t('sales.deals.quickEdit.saved', { title: deal.title }), color: 'green' });
      onDone();
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: salesKeys.all }),
  });
  return (
    <form
      aria-label={t('sales.deals.quickEdit.title', { title: deal.title })}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack gap="xs">
        <Text size="sm" fw={600} lineClamp={2}>
          {deal.title}
        </Text>
        <MoneyInput
          label={t('sales.deals.field.amount')}
          value={amount}
          onChange={setAmount}
          currency={deal.currency}
          disabled={deal.hasLineItems}
          description={deal.hasLineItems ? t('sales.deals.page.amountFromLines') : undefined}
          data-autofocus
        />
        <TextInput
          type="date"
          label={t('sales.deals.field.closeDate')}
          value={closeDate}
          onChange={(e) => setCloseDate(e.currentTarget.value)}
        />
        <Select
          label={t('sales.deals.field.owner')}
          data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
          value={ownerId}
          onChange={setOwnerId}
          clearable
          searchable
          comboboxProps={{ withinPortal: false }}
        />
        <ErrorAlert error={save.error} />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" size="xs" onClick={onDone}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" size="xs" loading={save.isPending}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
