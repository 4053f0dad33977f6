import type { ValidationIssue } from '../../app/api-client';

/** The address fields people and companies share (郵便番号 to 番地), as the form edits them. */
export interface AddressDraft {
  postalCode: string;
  prefecture: string | null;
  city: string;
  town: string;
  addressLine: string;
}

/** A text field's API value: trimmed, and null when empty. */
export const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** Field errors by path ("familyName", "emails.0.address", "custom.rank"), from a 400's details.issues. */
export function errorsByPath(issues: ValidationIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    const path = i.path === 'companyId' ? 'company' : i.path;
    out[path] ??= i.message || (i as { code?: string }).code || '';
  }
  return out;
}
