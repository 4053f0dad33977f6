import { describe, expect, it } from 'vitest';
import { currencyDigits, divRoundHalfUp, formatMoney, lineTotal, weightedAmount } from '../../../shared/contracts/sales.js';

describe('money arithmetic in integer minor units', () => {
  it('knows the minor unit of ISO 4217 currencies and refuses unknown codes', () => {
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('KWD')).toBe(3);
    expect(currencyDigits('XYZ')).toBeNull();
    expect(currencyDigits('yen')).toBeNull();
  });

  it('rounds halves up and everything else to the nearest integer', () => {
    expect(divRoundHalfUp(5n, 2n)).toBe(3n);
    expect(divRoundHalfUp(7n, 3n)).toBe(2n);
    expect(divRoundHalfUp(8n, 3n)).toBe(3n);
    expect(divRoundHalfUp(0n, 7n)).toBe(0n);
  });

  it('computes a line as quantity × unit price without discount', () => {
    expect(lineTotal({ quantity: 3, unitPrice: 1980 })).toBe(5940);
  });

  it('takes an amount discount off the line and never goes below zero', () => {
    expect(lineTotal({ quantity: 2, unitPrice: 10_000, discountType: 'amount', discountValue: 1500 })).toBe(18_500);
    expect(lineTotal({ quantity: 1, unitPrice: 100, discountType: 'amount', discountValue: 500 })).toBe(0);
  });

  it('rounds a percent discount half up to one yen, once per line', () => {
    // 3 × 333 = 999; 12.5 % = 124.875 → 125 off → 874
    expect(lineTotal({ quantity: 3, unitPrice: 333, discountType: 'percent', discountValue: 1250 })).toBe(874);
    // 1 × 1 yen at 50 % = 0.5 off → rounds up to 1 off → 0
    expect(lineTotal({ quantity: 1, unitPrice: 1, discountType: 'percent', discountValue: 5000 })).toBe(0);
    expect(lineTotal({ quantity: 1, unitPrice: 999, discountType: 'percent', discountValue: 10_000 })).toBe(0);
  });

  it('has no float drift where floating point would have it', () => {
    // 0.1 + 0.2 style: 3 × 0.10 USD as minor units
    expect(lineTotal({ quantity: 3, unitPrice: 10 })).toBe(30);
    // 1.15 × 100 in floats is 114.99999999999999; 115 × 10% in integers is exactly 11.5 → 12
    expect(lineTotal({ quantity: 1, unitPrice: 115, discountType: 'percent', discountValue: 1000 })).toBe(103);
    // large amounts stay exact beyond 2^53 intermediate products
    expect(lineTotal({ quantity: 1_000_000, unitPrice: 999_999_999, discountType: 'percent', discountValue: 1 })).toBe(999_899_999_000_100);
  });

  it('weights an amount by the stage probability, half up', () => {
    expect(weightedAmount(1_000_000, 25)).toBe(250_000);
    expect(weightedAmount(333, 50)).toBe(167);
    expect(weightedAmount(1, 10)).toBe(0);
    expect(weightedAmount(5, 10)).toBe(1);
    expect(weightedAmount(123_456_789, 100)).toBe(123_456_789);
    expect(weightedAmount(123_456_789, 0)).toBe(0);
  });

  it('formats minor units in the currency', () => {
    expect(formatMoney(1234, 'JPY', 'ja-JP')).toMatch(/1,234/);
    expect(formatMoney(1234, 'USD', 'en-US')).toBe('$12.34');
  });
});
