/** Currencies offered for a workspace (ISO 4217); amounts are integers in the currency's minor unit. */
export const WORKSPACE_CURRENCIES = ['JPY', 'USD', 'EUR', 'GBP', 'CNY', 'KRW', 'TWD', 'HKD', 'SGD', 'AUD', 'CAD', 'CHF', 'THB'];

/** The IANA time zones the browser knows, Asia/Tokyo always among them. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const list = intl.supportedValuesOf?.('timeZone') ?? [];
  return list.includes('Asia/Tokyo') ? list : ['Asia/Tokyo', ...list];
}
