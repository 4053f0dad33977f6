import Fastify from 'fastify';
import pg from 'pg';
import { serveTarget } from '../lib/target.js';

/** The baseline: bare Fastify + `pg`, one SELECT of the same user row, returned as JSON. No auth, no schema. */
serveTarget(async () => {
  const workspaceId = process.env.BENCH_WORKSPACE_ID as string;
  const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE, max: Number(process.env.BENCH_POOL_SIZE ?? 20) });
  const app = Fastify({ logger: false });
  app.get<{ Params: { id: string } }>('/bare/users/:id', async (request, reply) => {
    const { rows } = await pool.query(
      `SELECT u.id, u.email, u.name, u.role, u.locale, u.theme, u.status, u.last_login_at, u.version, u.created_at, u.updated_at,
              coalesce((SELECT array_agg(tm.team_id ORDER BY tm.team_id) FROM team_members tm
                        WHERE tm.workspace_id = u.workspace_id AND tm.user_id = u.id), '{}') AS team_ids
         FROM users u WHERE u.workspace_id = $1 AND u.id = $2`,
      [workspaceId, request.params.id],
    );
    if (!rows[0]) return reply.status(404).send({ error: 'not_found' });
    return rows[0];
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    stop: async () => {
      await app.close();
      await pool.end();
    },
  };
});
