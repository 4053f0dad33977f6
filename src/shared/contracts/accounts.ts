import { z } from 'zod';
import { roles, tokenScopes, visibilities } from '../permissions.js';

export const localeSchema = z.enum(['ja', 'en']);
export const roleSchema = z.enum(roles);
export const visibilitySchema = z.enum(visibilities);
export const emailSchema = z
  .email()
  .max(254)
  .transform((s) => s.trim());
export const passwordSchema = z.string().min(10).max(200);
export const nameSchema = z.string().trim().min(1).max(120);
export const idParams = z.object({ id: z.uuid() });

const timeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'unknown time zone');
const currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code such as JPY');

export const setupBody = z.object({
  workspaceName: nameSchema,
  timeZone: timeZone.default('Asia/Tokyo'),
  locale: localeSchema.default('ja'),
  currency: currency.default('JPY'),
  adminName: nameSchema,
  adminEmail: emailSchema,
  password: passwordSchema,
});

export const loginBody = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
  remember: z.boolean().default(false),
});

export const workspaceSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  timeZone: z.string(),
  locale: localeSchema,
  currency: z.string(),
  visibility: z.record(roleSchema, visibilitySchema),
  /** Users without two-factor sign-in must set it up at their next sign-in. */
  requireTwoFactor: z.boolean(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** `GET /workspace` only: orders are stored, so the currency can no longer change (409 `currency_in_use`). */
  currencyLocked: z.boolean().optional(),
});

export const workspacePatch = z.object({
  version: z.number().int(),
  name: nameSchema.optional(),
  timeZone: timeZone.optional(),
  locale: localeSchema.optional(),
  currency: currency.optional(),
  visibility: z.partialRecord(roleSchema, visibilitySchema).optional(),
  requireTwoFactor: z.boolean().optional(),
});

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  locale: localeSchema.nullable(),
  theme: z.enum(['auto', 'light', 'dark']),
  status: z.enum(['active', 'disabled']),
  teamIds: z.array(z.uuid()),
  lastLoginAt: z.string().nullable(),
  twoFactorEnabled: z.boolean(),
  /** Until when sign-in from unknown devices is locked after many failures (an administrator can unlock). */
  lockedUntil: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const sessionSchema = z.object({
  user: userSchema,
  workspace: workspaceSchema,
  csrfToken: z.string(),
  permissions: z.array(z.string()),
});
export type Session = z.infer<typeof sessionSchema>;

export const userPatch = z.object({
  version: z.number().int(),
  name: nameSchema.optional(),
  role: roleSchema.optional(),
  status: z.enum(['active', 'disabled']).optional(),
});

export const profilePatch = z.object({
  name: nameSchema.optional(),
  locale: localeSchema.nullable().optional(),
  theme: z.enum(['auto', 'light', 'dark']).optional(),
});

export const passwordChangeBody = z.object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema });

export const invitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: roleSchema,
  teamId: z.uuid().nullable(),
  expiresAt: z.string(),
  createdAt: z.string(),
});
export const invitationCreate = z.object({ email: emailSchema, role: roleSchema, teamId: z.uuid().nullable().optional() });
export const invitationAccept = z.object({
  token: z.string().min(10).max(200),
  name: nameSchema,
  password: passwordSchema,
  locale: localeSchema.optional(),
});

export const teamSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  memberIds: z.array(z.uuid()),
  version: z.number(),
  createdAt: z.string(),
});
export const teamCreate = z.object({ name: nameSchema, memberIds: z.array(z.uuid()).max(1000).default([]) });
export const teamPatch = z.object({
  version: z.number().int(),
  name: nameSchema.optional(),
  memberIds: z.array(z.uuid()).max(1000).optional(),
});

export const apiTokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
});
export const apiTokenCreate = z.object({
  name: nameSchema,
  scopes: z.array(z.enum(tokenScopes)).min(1),
  expiresInDays: z.number().int().min(1).max(3650).nullable().optional(),
});

export const auditEntrySchema = z.object({
  id: z.uuid(),
  actorId: z.uuid().nullable(),
  actorType: z.string(),
  actorName: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.uuid().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  ip: z.string().nullable(),
  createdAt: z.string(),
});
export const auditQuery = z.object({
  actorId: z.uuid().optional(),
  entityType: z.string().max(64).optional(),
  entityId: z.uuid().optional(),
  action: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
