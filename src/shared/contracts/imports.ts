import { z } from 'zod';

/** The states of an import job of any kind (platform/import). */
export const importStatuses = ['uploading', 'uploaded', 'queued', 'running', 'completed', 'failed'] as const;
export type ImportStatus = (typeof importStatuses)[number];

/** One job in the list of recent imports (GET /api/v1/imports): what every kind shares, its own tallies in `counts`. */
export const importSummary = z.object({
  id: z.string(),
  kind: z.string().describe('customers (people and companies) or orders'),
  filename: z.string(),
  format: z.string(),
  status: z.enum(importStatuses),
  sizeBytes: z.number(),
  processed: z.number(),
  rowsTotal: z.number().nullable(),
  rejected: z.number(),
  progress: z.number(),
  failure: z.string().nullable(),
  counts: z.record(z.string(), z.number()).describe("the kind's own tallies (created, updated, inserted, skipped, …)"),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type ImportSummary = z.infer<typeof importSummary>;
