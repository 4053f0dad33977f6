import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import type { DB } from '../../platform/db/schema.js';
import { importErrorPage, importErrorsCsv } from '../../platform/import/import-report.js';
import { ordersImport } from './import.service.js';

/** The reason codes of a rejected order row in the report's language (the web dialog has the same texts). */
const REASONS: Record<string, { ja: string; en: string }> = {
  order_number_required: { ja: '注文番号がありません', en: 'Order no. missing' },
  order_number_too_long: { ja: '注文番号が長すぎます', en: 'Order no. too long' },
  invalid_date: { ja: '日付を読み取れません', en: 'Date not readable' },
  date_required: { ja: '注文日時がありません', en: 'Date missing' },
  invalid_customer_id: { ja: '顧客 ID の形式が正しくありません', en: 'Customer ID is not an ID' },
  customer_required: { ja: 'メールアドレス・電話番号・顧客 ID がありません', en: 'No email, phone or customer ID' },
  unknown_customer: { ja: '該当する顧客がいません', en: 'No such customer' },
  sku_required: { ja: 'SKU がありません', en: 'SKU missing' },
  unknown_product: { ja: '該当する商品 (SKU) がありません', en: 'No such product (SKU)' },
  invalid_quantity: { ja: '数量は 1 以上の整数で入力してください', en: 'Quantity must be a whole number of 1 or more' },
  invalid_price: { ja: '単価は 0 以上の整数で入力してください', en: 'Unit price must be a whole amount of 0 or more' },
  invalid_status: { ja: 'ステータスが正しくありません', en: 'Unknown status' },
  wrong_currency: { ja: 'ワークスペースの通貨ではありません', en: 'Not the workspace currency' },
  currency_mismatch: { ja: '商品の通貨が異なります', en: 'Product in another currency' },
  order_has_rejected_line: { ja: '同じ注文の別の行にエラーがあります', en: 'Another line of this order was rejected' },
};

export const describeReason = (code: string, locale: 'ja' | 'en') => REASONS[code]?.[locale] ?? code;

/** Every rejected row as CSV, the reasons in the caller's language. */
export function orderImportErrorsCsv(options: { db: Kysely<DB>; actor: Actor; importId: string; locale: 'ja' | 'en' }) {
  const { locale } = options;
  return importErrorsCsv({
    ...options,
    kind: ordersImport,
    describe: (reasons) => (reasons as string[]).map((c) => describeReason(c, locale)).join(locale === 'ja' ? '、' : '; '),
  });
}

/** The rejected rows a page at a time, for the web dialog. */
export async function listImportErrors(options: { db: Kysely<DB>; actor: Actor; importId: string; afterRow: number; limit: number }) {
  const page = await importErrorPage({ ...options, kind: ordersImport });
  return {
    data: page.data.map((r) => ({ row: Number(r.row_number), orderNumber: r.row_key, reasons: r.reasons as string[] })),
    nextAfterRow: page.nextAfterRow,
  };
}
