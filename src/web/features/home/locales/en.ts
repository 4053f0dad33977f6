/** The home page: English texts. */
export const homeEn = {
  home: {
    greeting: 'Hello, {{name}}',
    workspace: 'Workspace',
    facts: { name: 'Name', timeZone: 'Time zone', currency: 'Currency', language: 'Language', role: 'Your role' },
    recent: 'Recent changes',
    recentEmpty: 'No changes yet.',
    seeAll: 'Open audit log',
  },
};
