import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteDef } from '@rolegate/contract';
import { startStack, type Stack } from './support/stack.js';

// One route table (issue 13): the routers are registered from ROUTES and
// /openapi.json is generated from it. These tests walk what Express actually
// mounted, so a route added without a table entry, or an entry whose router
// is gone, fails here rather than drifting out of the OpenAPI document.

interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** "GET /api/admin/mappings/:id" for every route layer, mount paths included; the SPA's regex fallback is not an API route. */
function mountedRoutes(stack: Layer[], prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      if (typeof layer.route.path !== 'string') continue;
      for (const [method, on] of Object.entries(layer.route.methods))
        if (on && method !== '_all') out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...mountedRoutes(layer.handle.stack, prefix + mount));
    }
  }
  return out;
}

const key = (r: RouteDef) => `${r.method.toUpperCase()} ${r.path}`;
const TABLE = Object.values(ROUTES as Record<string, RouteDef>);

let stack: Stack;
beforeAll(async () => {
  // OIDC and SAML both configured: every route of the table is mounted.
  stack = await startStack({ saml: 'test-idp' });
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

describe('the route table', () => {
  it('declares every route the app mounts, and the app mounts every route it declares', () => {
    const mounted = new Set(mountedRoutes((stack.app as unknown as { router: { stack: Layer[] } }).router.stack));
    const declared = new Set(TABLE.map(key));
    expect([...mounted].filter((r) => !declared.has(r)).sort(), 'mounted but not in ROUTES').toEqual([]);
    expect([...declared].filter((r) => !mounted.has(r)).sort(), 'in ROUTES but not mounted').toEqual([]);
  });

  it('names each route once', () => {
    const keys = TABLE.map(key);
    expect(keys.length).toBe(new Set(keys).size);
  });

  it('is what /openapi.json publishes, operation for operation', async () => {
    const doc = (await (await fetch(`${stack.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const published = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(published.sort()).toEqual(TABLE.map(key).sort());
    // The CLI's routes have their contract schemas in the document.
    const token = doc.paths['/api/cli/token']!.post as {
      requestBody: { content: Record<string, { schema: unknown }> };
      responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
    };
    expect(token.requestBody.content['application/json']!.schema).toMatchObject({ anyOf: expect.any(Array) });
    expect(token.responses['200']!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/CliTokenResponse' });
  });

  // The auth column is checked against the app too: signed out, a GET of a
  // signed-in route is refused (JSON 401, or a page sending the browser to
  // sign in), and a public one is not.
  it.each(TABLE.filter((r) => r.method === 'get').map((r) => [key(r), r] as const))('signed out, %s answers as its auth column says', async (_k, route) => {
    const path = route.path.replace(':accountId', '111111111111').replace(':roleName', 'Developer').replace(/:\w+/g, '00000000-0000-4000-8000-000000000000');
    const query = route.path === '/cli/login' ? `?port=4567&state=${'s'.repeat(20)}&code_challenge=${'c'.repeat(43)}` : '';
    const res = await fetch(`${stack.baseUrl}${path}${query}`, { redirect: 'manual', headers: { accept: 'application/json' } });
    if (route.auth === 'metrics-token') {
      // Public without METRICS_TOKEN; this stack sets one, so a caller without it is refused.
      expect(res.status, route.path).toBe(401);
    } else if (route.auth === 'public') {
      expect(res.status, route.path).not.toBe(401);
      expect(res.headers.get('location') ?? '', route.path).not.toMatch(/^\/auth\/login\?returnTo=/);
    } else if (route.path.startsWith('/api/')) {
      expect(res.status, route.path).toBe(401);
    } else {
      expect(res.status, route.path).toBe(302);
      expect(res.headers.get('location'), route.path).toMatch(/^\/auth\/login\?returnTo=/);
    }
  });
});
