import type { Company } from './customers-api';
import { type AddressDraft, orNull } from './record-draft';

/** The company form's values as the user edits them. */
export interface CompanyDraft extends AddressDraft {
  name: string;
  nameKana: string;
  corporateNumber: string;
  industry: string;
  employeeCount: number | null;
  website: string;
  parent: { id: string; name: string } | null;
  tags: string[];
}

export const emptyCompany = (): CompanyDraft => ({
  name: '',
  nameKana: '',
  corporateNumber: '',
  industry: '',
  employeeCount: null,
  website: '',
  postalCode: '',
  prefecture: null,
  city: '',
  town: '',
  addressLine: '',
  parent: null,
  tags: [],
});

export const companyDraftOf = (c: Company): CompanyDraft => ({
  name: c.name,
  nameKana: c.nameKana ?? '',
  corporateNumber: c.corporateNumber ?? '',
  industry: c.industry ?? '',
  employeeCount: c.employeeCount,
  website: c.website ?? '',
  postalCode: c.postalCode ?? '',
  prefecture: c.prefecture,
  city: c.city ?? '',
  town: c.town ?? '',
  addressLine: c.addressLine ?? '',
  parent: c.parent,
  tags: c.tags,
});

/** The API body (create or patch) for a draft. */
export const companyPayload = (d: CompanyDraft) => ({
  name: d.name.trim(),
  nameKana: orNull(d.nameKana),
  corporateNumber: orNull(d.corporateNumber),
  industry: orNull(d.industry),
  employeeCount: d.employeeCount,
  website: orNull(d.website),
  postalCode: orNull(d.postalCode),
  prefecture: d.prefecture,
  city: orNull(d.city),
  town: orNull(d.town),
  addressLine: orNull(d.addressLine),
  parentId: d.parent?.id ?? null,
  tags: d.tags,
});
