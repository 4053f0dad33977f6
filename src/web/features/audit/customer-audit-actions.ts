/**
 * Audit actions written by the customers module (people, companies, custom fields, views, duplicates,
 * import/export, privacy). audit-actions.test.ts checks this list against the server's code, so a new
 * action there fails the test until it is listed and labelled here.
 */
const record = (e: 'person' | 'company') =>
  [
    'created',
    'updated',
    'deleted',
    'restored',
    'merged',
    'merged_into',
    'exported',
    'bulk_assign',
    'bulk_tag',
    'bulk_untag',
    'bulk_set_team',
  ].map((a) => `${e}.${a}`);

export const customerAuditActions = [
  ...record('person'),
  'person.data_exported',
  'person.erased',
  ...record('company'),
  'consent.granted',
  'consent.withdrawn',
  'purpose.agreed',
  'purpose.notified',
  'purpose.withdrawn',
  'custom_field.created',
  'custom_field.updated',
  'department.created',
  'saved_view.created',
  'saved_view.updated',
  'saved_view.deleted',
  'duplicate.dismissed',
  'duplicates.scan_requested',
  'import.completed',
  'privacy_request.logged',
] as const;

export const customerEntityTypes = [
  'person',
  'company',
  'custom_field',
  'saved_view',
  'duplicate_pair',
  'duplicate_scan',
  'import',
  'privacy_request',
] as const;
