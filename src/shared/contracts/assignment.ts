import { z } from 'zod';
import { filterSchema } from '../filter.js';
import { PREFECTURES } from '../prefectures.js';

/** 割り当てルール: who gets a new lead or deal created without an owner, and who hears when a lead waits too long. */
export const assignmentObjectTypes = ['lead', 'deal'] as const;
export type AssignmentObjectType = (typeof assignmentObjectTypes)[number];
export const assignmentMethods = ['round_robin', 'user', 'territory', 'least_loaded'] as const;
export type AssignmentMethod = (typeof assignmentMethods)[number];
export const escalationTargets = ['none', 'team_managers', 'user'] as const;

const prefecture = z
  .string()
  .trim()
  .refine((v) => PREFECTURES.some((p) => p.name === v), { message: 'prefecture (e.g. 東京都)' });
export const territorySchema = z.object({ prefectures: z.array(prefecture).min(1).max(47), userId: z.uuid() });

const ruleFields = {
  name: z.string().trim().min(1).max(100),
  active: z.boolean(),
  /** the shared filter language on the record's fields; null = every record */
  conditions: filterSchema.nullable(),
  method: z.enum(assignmentMethods),
  /** round_robin / least_loaded: the team whose active members take turns */
  teamId: z.uuid().nullable(),
  /** user: the fixed assignee */
  userId: z.uuid().nullable(),
  /** territory: prefectures → user (the lead's prefecture; a deal's company's prefecture) */
  territories: z.array(territorySchema).max(100),
  /** who hears about an unanswered lead: the rule team's managers, one chosen user, or nobody */
  escalationTarget: z.enum(escalationTargets),
  escalationUserId: z.uuid().nullable(),
};

export const assignmentRuleCreate = z.object({
  objectType: z.enum(assignmentObjectTypes),
  name: ruleFields.name,
  active: ruleFields.active.default(true),
  conditions: ruleFields.conditions.default(null),
  method: ruleFields.method,
  teamId: ruleFields.teamId.default(null),
  userId: ruleFields.userId.default(null),
  territories: ruleFields.territories.default([]),
  escalationTarget: ruleFields.escalationTarget.default('team_managers'),
  escalationUserId: ruleFields.escalationUserId.default(null),
});
export type AssignmentRuleCreate = z.infer<typeof assignmentRuleCreate>;
export const assignmentRulePatch = z.object({ version: z.number().int() }).extend(z.object(ruleFields).partial().shape);
export type AssignmentRulePatch = z.infer<typeof assignmentRulePatch>;

export const assignmentRuleSchema = z.object({
  id: z.string(),
  objectType: z.enum(assignmentObjectTypes),
  name: z.string(),
  position: z.number(),
  active: z.boolean(),
  conditions: z.unknown().nullable(),
  method: z.enum(assignmentMethods),
  teamId: z.string().nullable(),
  userId: z.string().nullable(),
  territories: z.array(z.object({ prefectures: z.array(z.string()), userId: z.string() })),
  escalationTarget: z.enum(escalationTargets),
  escalationUserId: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AssignmentRule = z.infer<typeof assignmentRuleSchema>;

/** The whole order of one object type's rules, first match first. */
export const assignmentRuleOrder = z.object({ objectType: z.enum(assignmentObjectTypes), ids: z.array(z.uuid()).min(1).max(500) });

export const assignmentSettingsSchema = z.object({
  escalationEnabled: z.boolean(),
  /** a lead still 新規 and untouched this long after its assignment escalates (once) */
  escalationAfterMinutes: z.number().int().min(1).max(43_200),
  /** also hand the lead to the rule's next rep */
  reassignOnEscalation: z.boolean(),
  version: z.number().int(),
});
export type AssignmentSettings = z.infer<typeof assignmentSettingsSchema>;
export const assignmentSettingsPut = assignmentSettingsSchema;

export const recordAssignmentSchema = z.object({
  id: z.string(),
  ruleId: z.string().nullable(),
  ruleName: z.string(),
  method: z.string(),
  reason: z.enum(['rule', 'escalation']),
  userId: z.string(),
  previousUserId: z.string().nullable(),
  createdAt: z.string(),
});
export type RecordAssignment = z.infer<typeof recordAssignmentSchema>;
