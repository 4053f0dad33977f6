export { auditRoutes } from './audit.routes.js';
export { type AuditEntryView, auditTrail } from './compliance.service.js';
