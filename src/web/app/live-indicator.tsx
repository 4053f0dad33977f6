import { Badge, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useRealtimeState } from './realtime';

const colors = { live: 'teal', connecting: 'yellow', offline: 'gray' } as const;

export function LiveIndicator() {
  const { t } = useTranslation();
  const state = useRealtimeState();
  const label = t(`live.${state}`);
  return (
    <Tooltip label={t('live.title', { state: label })} withArrow>
      <Badge
        variant="dot"
        color={colors[state]}
        size="sm"
        data-testid="live-indicator"
        data-state={state}
        role="status"
        aria-label={t('live.title', { state: label })}
        style={{ flexShrink: 0 }}
      >
        <span className="hide-on-phone">{label}</span>
      </Badge>
    </Tooltip>
  );
}
