import type { CustomersDb } from '../customers.db.js';
import { indexPerson, type StoredEmail, type StoredPhone } from './indexing.js';
import { peopleOfCompany, setSearch } from './merge.repository.js';
import { jsonList } from './records.presenter.js';

/** People are found by their company's name: when it changes (an edit, a merge), their search text follows. */
export async function reindexPeopleOf(trx: CustomersDb, workspaceId: string, companyId: string, name: string) {
  for (const p of await peopleOfCompany(trx, workspaceId, companyId)) {
    const idx = indexPerson({
      familyName: p.family_name,
      givenName: p.given_name,
      familyNameKana: p.family_name_kana,
      givenNameKana: p.given_name_kana,
      emails: jsonList<StoredEmail>(p.emails),
      phones: jsonList<StoredPhone>(p.phones),
      companyName: name,
    });
    await setSearch(trx, workspaceId, p.id, idx.search_text, idx.search_bigrams);
  }
}
