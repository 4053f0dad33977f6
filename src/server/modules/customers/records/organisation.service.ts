import type { Actor } from '../../../platform/actor.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import { newId } from '../../../platform/ids.js';
import type { CustomersDb } from '../customers.db.js';
import * as repo from './people.repository.js';
import { presentPerson } from './records.presenter.js';
import { getCompany, getPerson } from './records.service.js';

/** Who works where (組織図): a person's employment history, a company's people, subsidiaries and departments. */

export async function listEmploymentHistory(options: { db: CustomersDb; actor: Actor; personId: string }) {
  await getPerson(options);
  const rows = await repo.listEmployments(options.db, options.actor.workspaceId, options.personId);
  return rows.map((r) => ({
    id: r.id,
    companyId: r.company_id,
    companyName: r.company_name,
    departmentId: r.department_id,
    departmentName: r.department_name,
    title: r.title,
    startedOn: r.started_on,
    endedOn: r.ended_on,
  }));
}

/** How many of a company's current people its relations show. */
const STAFF_SHOWN = 500;

/** People who work at the company now, and its subsidiaries and departments (組織図). */
export async function companyRelations(options: { db: CustomersDb; actor: Actor; companyId: string }) {
  const company = await getCompany(options);
  const { db, actor } = options;
  const [people, children, departments] = await Promise.all([
    repo.staffOf(db, actor, company.id, STAFF_SHOWN),
    repo.subsidiariesOf(db, actor.workspaceId, company.id),
    repo.departmentsOf(db, actor.workspaceId, company.id),
  ]);
  return {
    people: people.map((p) => presentPerson(p, { id: company.id, name: company.name })),
    subsidiaries: children.map((c) => ({ id: c.id, name: c.name })),
    departments: departments.map((d) => ({ id: d.id, name: d.name, parentId: d.parent_id, position: d.position, version: d.version })),
  };
}

export async function createDepartment(options: {
  db: CustomersDb;
  actor: Actor;
  companyId: string;
  name: string;
  parentId?: string | null;
}) {
  const { actor } = options;
  await getCompany(options);
  return options.db.transaction().execute(async (trx) => {
    if (options.parentId && !(await repo.departmentOf(trx, actor.workspaceId, options.parentId, options.companyId)))
      throw new AppError('validation_failed', { issues: [{ path: 'parentId', code: 'not_found' }] });
    const id = newId();
    await repo.insertDepartment(trx, {
      workspace_id: actor.workspaceId,
      id,
      company_id: options.companyId,
      parent_id: options.parentId ?? null,
      name: options.name,
      created_by: actor.userId,
      updated_by: actor.userId,
    });
    await recordChange(trx, actor, {
      audit: {
        action: 'department.created',
        entityType: 'company',
        entityId: options.companyId,
        after: { departmentId: id, name: options.name },
      },
      event: { type: 'company.updated', entityType: 'company', entityId: options.companyId },
    });
    return { id, name: options.name, parentId: options.parentId ?? null, position: 0, version: 1 };
  });
}
