import SwaggerParser from '@apidevtools/swagger-parser';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';

/** /api/openapi.json is what client generators read: it must be a valid document, every $ref resolvable. */
let server: RunningServer;
let doc: Record<string, unknown>;

beforeAll(async () => {
  server = await startTestServer();
  const res = await server.app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => {
  await server?.stop();
});

describe('the OpenAPI document', () => {
  it('passes a real OpenAPI validator (structure and every $ref)', async () => {
    // validate() dereferences in place: give it a copy.
    const api = await SwaggerParser.validate(structuredClone(doc) as never);
    expect(Object.keys(api.paths ?? {}).length).toBeGreaterThan(100);
  });

  it('names the recursive filter schema as a component that list, bulk, view and rule routes refer to', () => {
    const schemas = (doc.components as { schemas?: Record<string, unknown> }).schemas ?? {};
    expect(Object.keys(schemas)).toContain('FilterInput');
    const text = JSON.stringify(doc.paths);
    expect(text).not.toMatch(/schema\d+Input/);
    for (const path of ['/api/v1/people/bulk', '/api/v1/views', '/api/v1/assignment-rules']) {
      expect(JSON.stringify((doc.paths as Record<string, unknown>)[path])).toContain('#/components/schemas/Filter');
    }
  });

  it('generates a TypeScript client description that compiles', async () => {
    const source = astToString(await openapiTS(structuredClone(doc) as never));
    expect(source).toContain('"/api/v1/people"');
    const file = 'openapi-client.ts';
    const host = ts.createCompilerHost({ strict: true, noEmit: true, target: ts.ScriptTarget.ES2022 });
    const read = host.getSourceFile;
    host.getSourceFile = (name, lang, ...rest) =>
      name === file ? ts.createSourceFile(name, source, lang) : read.call(host, name, lang, ...rest);
    const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, types: [] }, host);
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  });
});
