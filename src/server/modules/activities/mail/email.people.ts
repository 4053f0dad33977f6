import { findActiveUsers, userEmailsAmong, userNames, workspaceSettings } from '../../accounts/index.js';
import { findPeopleByContact, personCard, recordKey, recordNames } from '../../customers/index.js';
import type { ActivitiesDb } from '../activities.db.js';
import * as repo from './email.repository.js';

/** The people and users mail is about, read through their owners' ports (customers, accounts) in the caller's transaction. */

export interface LinkRow {
  email_id: string;
  person_id: string;
  role: 'from' | 'to' | 'cc';
  name: string;
  owner_id: string | null;
  team_id: string | null;
}

/** People linked to these emails, with a display name; links to trashed people are left out. */
export async function linksFor(db: ActivitiesDb, workspaceId: string, emailIds: string[]): Promise<LinkRow[]> {
  const links = await repo.linksOf(db, workspaceId, emailIds);
  const people = await recordNames(
    db,
    workspaceId,
    links.map((l) => ({ entityType: 'person', entityId: l.person_id })),
  );
  return links.flatMap((l) => {
    const p = people.get(recordKey({ entityType: 'person', entityId: l.person_id }));
    return p && !p.deleted ? [{ ...l, name: p.name, owner_id: p.ownerId, team_id: p.teamId }] : [];
  });
}

export interface PersonMatch {
  id: string;
  address: string;
  ownerId: string | null;
  teamId: string | null;
}

/** People (not in the trash) having any of these addresses. */
export async function peopleByAddress(db: ActivitiesDb, workspaceId: string, addresses: string[]): Promise<PersonMatch[]> {
  const rows = await findPeopleByContact(db, workspaceId, 'email', addresses);
  return rows.map((r) => ({ id: r.personId, address: r.value, ownerId: r.ownerId, teamId: r.teamId }));
}

export interface PersonForMail {
  id: string;
  family_name: string;
  given_name: string | null;
  family_name_kana: string | null;
  given_name_kana: string | null;
  title: string | null;
  emails: { address: string }[];
  owner_id: string | null;
  team_id: string | null;
  company_name: string | null;
  owner_name: string | null;
}

/** What merge fields and the default recipient need from a person. */
export async function personForMail(db: ActivitiesDb, workspaceId: string, personId: string): Promise<PersonForMail | undefined> {
  const p = await personCard(db, workspaceId, personId);
  if (!p) return undefined;
  const owners = await userNames(db, workspaceId, p.ownerId ? [p.ownerId] : []);
  return {
    id: p.id,
    family_name: p.familyName,
    given_name: p.givenName,
    family_name_kana: p.familyNameKana,
    given_name_kana: p.givenNameKana,
    title: p.title,
    emails: p.emails.map((address) => ({ address })),
    owner_id: p.ownerId,
    team_id: p.teamId,
    company_name: p.companyName,
    owner_name: (p.ownerId && owners.get(p.ownerId)) || null,
  };
}

/** The sender's and the workspace's names (merge fields). */
export async function userNameAndWorkspace(db: ActivitiesDb, workspaceId: string, userId: string | null) {
  const ws = await workspaceSettings(db, workspaceId);
  const users = await userNames(db, workspaceId, userId ? [userId] : []);
  return { workspace: ws.name, user: (userId && users.get(userId)) || null };
}

/** Active administrators: told about mail from unknown senders. */
export async function adminIds(db: ActivitiesDb, workspaceId: string): Promise<string[]> {
  return (await findActiveUsers(db, workspaceId, { roles: ['admin'] })).map((u) => u.id);
}

/** Addresses among these that belong to the workspace's users (mail they sent, BCC'd to the CRM). */
export const userAddresses = (db: ActivitiesDb, workspaceId: string, addresses: string[]) => userEmailsAmong(db, workspaceId, addresses);
