import {
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { ActionIcon, Alert, Anchor, Badge, Box, Button, Group, Paper, ScrollArea, Stack, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconGripVertical, IconHourglassLow } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { type BoardColumn, idleDays, isRotting, type Stage } from '../../../shared/contracts/sales';
import { http } from '../../app/api-client';
import { ErrorState } from '../../ui/error-state';
import { useMoney } from '../../ui/money';
import { PageLoader } from '../../ui/page-loader';
import { DealCloseDialog } from './deal-close-dialog';
import { DealQuickEdit } from './deal-quick-edit';
import { type BoardScope, type Deal, salesKeys, scopeQuery, useBoard } from './sales-api';

interface MoveInput {
  deal: Deal;
  stage: Stage;
  closeReason?: string | null;
  competitor?: string | null;
}

/** カンバン: one column per stage with its totals; drop a card on a stage to move the deal (won/lost ask why). */
export function PipelineBoard({ pipelineId, scope }: { pipelineId: string; scope: BoardScope }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const board = useBoard(pipelineId, scope);
  const [more, setMore] = useState<Record<string, { deals: Deal[]; cursor: string | null }>>({});
  const [closing, setClosing] = useState<{ deal: Deal; stage: Stage } | null>(null);
  // While a drag runs and shortly after its drop, a click is the end of the drag, not a click on the card's link.
  const dragEndedAt = useRef<number | null>(0);
  useEffect(() => {
    // dnd-kit stops that click's propagation at the document (capture), so React never sees it, but the browser
    // would still follow the link: cancel its default first, from the window's capture phase.
    const onClick = (e: MouseEvent) => {
      const at = dragEndedAt.current;
      if (at === null || Date.now() - at < 500) e.preventDefault();
    };
    window.addEventListener('click', onClick, true);
    return () => window.removeEventListener('click', onClick, true);
  }, []);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }), useSensor(KeyboardSensor));

  const move = useMutation({
    mutationFn: (m: MoveInput) =>
      http.post<Deal>(`/api/v1/deals/${m.deal.id}/move`, {
        version: m.deal.version,
        stageId: m.stage.id,
        closeReason: m.closeReason,
        competitor: m.competitor,
      }),
    onSuccess: (_deal, m) => {
      setClosing(null);
      setMore({});
      notifications.show({ message: t('sales.deals.moved', { stage: m.stage.name }), color: 'green' });
    },
    onError: (err) => {
      if (!closing) notifications.show({ color: 'red', message: (err as Error).message });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: salesKeys.all }),
  });

  const loadMore = useMutation({
    mutationFn: async (column: BoardColumn) => {
      const cursor = more[column.stage.id]?.cursor ?? column.nextCursor;
      const page = await http.get<{ data: Deal[]; nextCursor: string | null }>(
        `/api/v1/pipelines/${pipelineId}/stages/${column.stage.id}/deals`,
        { ...scopeQuery(scope), limit: 20, cursor },
      );
      setMore((m) => ({
        ...m,
        [column.stage.id]: { deals: [...(m[column.stage.id]?.deals ?? []), ...page.data], cursor: page.nextCursor },
      }));
    },
  });

  if (board.isPending) return <PageLoader />;
  if (board.error) return <ErrorState error={board.error} onRetry={() => void board.refetch()} />;

  const onDragEnd = (e: DragEndEvent) => {
    dragEndedAt.current = Date.now();
    const deal = e.active.data.current?.deal as Deal | undefined;
    const stage = e.over?.data.current?.stage as Stage | undefined;
    if (!deal || !stage || stage.id === deal.stageId) return;
    if (stage.kind === 'open') move.mutate({ deal, stage });
    else setClosing({ deal, stage });
  };

  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        {t('sales.deals.dragHint')}
      </Text>
      <DndContext
        sensors={sensors}
        onDragStart={() => {
          dragEndedAt.current = null;
        }}
        onDragCancel={() => {
          dragEndedAt.current = Date.now();
        }}
        onDragEnd={onDragEnd}
        autoScroll={{ threshold: { x: 0.08, y: 0 } }}
      >
        <ScrollArea type="auto" offsetScrollbars>
          <Group align="flex-start" wrap="nowrap" gap="sm" pb="sm">
            {board.data.columns.map((column) => {
              const extra = more[column.stage.id];
              const deals = [...column.deals, ...(extra?.deals ?? [])];
              const hasMore = extra ? !!extra.cursor : !!column.nextCursor;
              return (
                <StageColumn key={column.stage.id} column={column}>
                  {deals.map((deal) => (
                    <DealCard key={deal.id} deal={deal} rottingDays={board.data.pipeline.rottingDays} />
                  ))}
                  {deals.length === 0 && (
                    <Text size="sm" c="dimmed" ta="center" py="md">
                      {t('sales.deals.empty')}
                    </Text>
                  )}
                  {hasMore && (
                    <Button variant="subtle" size="xs" loading={loadMore.isPending} onClick={() => loadMore.mutate(column)}>
                      {t('sales.deals.loadMore')}
                    </Button>
                  )}
                </StageColumn>
              );
            })}
          </Group>
        </ScrollArea>
      </DndContext>
      {move.error && !closing ? <Alert color="red">{(move.error as Error).message}</Alert> : null}
      {closing && (
        <DealCloseDialog
          stage={closing.stage}
          pending={move.isPending}
          error={move.error}
          onClose={() => {
            setClosing(null);
            move.reset();
          }}
          onConfirm={(v) => move.mutate({ ...closing, ...v })}
        />
      )}
    </Stack>
  );
}

function StageColumn({ column, children }: { column: BoardColumn; children: React.ReactNode }) {
  const { t } = useTranslation();
  const money = useMoney();
  const { setNodeRef, isOver } = useDroppable({ id: column.stage.id, data: { stage: column.stage } });
  const count = column.totals.reduce((n, x) => n + x.count, 0);
  const color = column.stage.kind === 'won' ? 'green' : column.stage.kind === 'lost' ? 'gray' : 'blue';
  return (
    <Paper
      ref={setNodeRef}
      component="section"
      aria-label={column.stage.name}
      data-stage-kind={column.stage.kind}
      withBorder
      p="xs"
      w={248}
      miw={248}
      bg={isOver ? 'var(--mantine-color-blue-light)' : 'var(--mantine-color-gray-light)'}
    >
      <Stack gap={4} mb="xs">
        <Group justify="space-between" wrap="nowrap">
          <Text fw={700} size="sm" truncate>
            {column.stage.name}
          </Text>
          <Badge color={color} variant="light">
            {column.stage.probability}%
          </Badge>
        </Group>
        <Box data-testid="stage-totals">
          <Text size="xs" c="dimmed">
            {t('sales.deals.count', { count })}
          </Text>
          {column.totals.map((x) => (
            <Text size="xs" key={x.currency}>
              {t('sales.deals.total')} {money(x.amount, x.currency)} ・ {t('sales.deals.weighted')} {money(x.weightedAmount, x.currency)}
            </Text>
          ))}
        </Box>
      </Stack>
      <Stack gap="xs" mih={80}>
        {children}
      </Stack>
    </Paper>
  );
}

/**
 * A card: drag it anywhere with the pointer, or lift it from its handle with the keyboard (Space, arrows, Space).
 * The handle, the title link and the quick edit are siblings, not nested in one interactive element.
 */
function DealCard({ deal, rottingDays }: { deal: Deal; rottingDays: number | null }) {
  const { t } = useTranslation();
  const rotting = isRotting(deal, rottingDays);
  const money = useMoney();
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, isDragging } = useDraggable({ id: deal.id, data: { deal } });
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      shadow={isDragging ? 'md' : 'xs'}
      p="xs"
      data-testid="deal-card"
      data-rotting={rotting || undefined}
      style={{
        transform: transform ? `translate3d(${transform.x}px, ${transform.y}px, 0)` : undefined,
        cursor: 'grab',
        zIndex: isDragging ? 10 : undefined,
        position: 'relative',
        touchAction: 'none',
        borderLeft: rotting ? '4px solid var(--mantine-color-orange-7)' : undefined,
      }}
      onPointerDown={(e) => listeners?.onPointerDown?.(e)}
      // the card moves with the pointer (dnd-kit), never as a native drag of its link or text
      onDragStart={(e) => e.preventDefault()}
    >
      <Group gap={4} wrap="nowrap" align="flex-start">
        <ActionIcon
          ref={setActivatorNodeRef}
          variant="subtle"
          color="gray"
          size="sm"
          {...attributes}
          onKeyDown={(e) => listeners?.onKeyDown?.(e)}
          aria-label={t('sales.deals.dragHandle', { title: deal.title })}
          style={{ cursor: 'grab' }}
        >
          <IconGripVertical size={14} />
        </ActionIcon>
        {/* not natively draggable: dropping a dragged link on the page would make the browser open it */}
        <Anchor component={Link} to={`/deals/${deal.id}`} draggable={false} size="sm" fw={600} style={{ wordBreak: 'break-word', flex: 1 }}>
          {deal.title}
        </Anchor>
        <DealQuickEdit deal={deal} />
      </Group>
      {deal.company && (
        <Text size="xs" c="dimmed" truncate>
          {deal.company.name}
        </Text>
      )}
      <Group justify="space-between" gap={4} mt={4}>
        <Text size="sm">{money(deal.amount, deal.currency)}</Text>
        {deal.expectedCloseDate && (
          <Text size="xs" c="dimmed">
            {deal.expectedCloseDate}
          </Text>
        )}
      </Group>
      {rotting && <RottingBadge idleSince={deal.idleSince} />}
    </Paper>
  );
}

/** 停滞: how long the deal has had no activity and no stage change, in whole days. */
function RottingBadge({ idleSince }: { idleSince: string }) {
  const { t } = useTranslation();
  const days = idleDays(idleSince);
  return (
    <Tooltip label={t('sales.deals.rottingHint', { count: days })}>
      <Badge mt={4} size="sm" color="orange" variant="light" leftSection={<IconHourglassLow size={12} />} data-testid="rotting">
        {t('sales.deals.rotting', { count: days })}
      </Badge>
    </Tooltip>
  );
}
