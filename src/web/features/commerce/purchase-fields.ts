import type { FieldType } from '../../../shared/filter';

/** Purchase metrics the people/companies filter builder offers (the server's commerce fields of those lists). */
export const purchaseFilterFields: { key: string; label: string; type: FieldType }[] = [
  { key: 'purchaseCount', label: 'commerce.fields.purchaseCount', type: 'number' },
  { key: 'purchaseTotal', label: 'commerce.fields.purchaseTotal', type: 'money' },
  { key: 'averageOrderValue', label: 'commerce.fields.averageOrderValue', type: 'money' },
  { key: 'purchaseQuantity', label: 'commerce.fields.purchaseQuantity', type: 'number' },
  { key: 'firstPurchaseAt', label: 'commerce.fields.firstPurchaseAt', type: 'datetime' },
  { key: 'lastPurchaseAt', label: 'commerce.fields.lastPurchaseAt', type: 'datetime' },
  { key: 'daysSinceLastPurchase', label: 'commerce.fields.daysSinceLastPurchase', type: 'number' },
  { key: 'repeatCustomer', label: 'commerce.fields.repeatCustomer', type: 'boolean' },
  { key: 'ltv', label: 'commerce.fields.ltv', type: 'money' },
];
