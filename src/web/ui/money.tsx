import { NumberInput, type NumberInputProps } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { currencyDigits, formatMoney } from '../../shared/contracts/sales';

/** Minor units shown as money in the user's language (1234 JPY → ￥1,234). */
export function useMoney() {
  const { i18n } = useTranslation();
  const locale = i18n.resolvedLanguage === 'en' ? 'en-US' : 'ja-JP';
  return (amount: number, currency: string) => formatMoney(amount, currency, locale);
}

/** A money field typed in whole units (円, dollars) and kept in integer minor units. */
export function MoneyInput({
  value,
  onChange,
  currency,
  ...rest
}: Omit<NumberInputProps, 'value' | 'onChange'> & { value: number | null; onChange: (minor: number | null) => void; currency: string }) {
  const digits = currencyDigits(currency) ?? 0;
  return (
    <NumberInput
      {...rest}
      value={value === null ? '' : value / 10 ** digits}
      onChange={(v) => onChange(v === '' || v === null ? null : Math.round(Number(v) * 10 ** digits))}
      decimalScale={digits}
      min={0}
      allowNegative={false}
      thousandSeparator=","
      rightSection={<span style={{ fontSize: 12, paddingRight: 8 }}>{currency}</span>}
      rightSectionWidth={48}
    />
  );
}

export const CURRENCIES = ['JPY', 'USD', 'EUR', 'CNY', 'KRW', 'TWD', 'GBP', 'SGD', 'THB', 'AUD'];
