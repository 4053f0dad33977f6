import type { ModulePlugin } from '../../platform/http/app.js';

/** Timeline, activities (notes, calls, meetings, messages), tasks, notifications and email. */
const parts: ModulePlugin[] = [];

export const activitiesModule: ModulePlugin = async (app, deps) => {
  for (const part of parts) await part(app, deps);
};
