import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@rolegate/core';
import type { SamlRepository, SamlRequestRecord, UserRepository } from '@rolegate/db';
import type { Logger } from '../../logger.js';
import { createSamlLoginService } from './login.js';
import type { SamlRequestContext, SamlServiceProvider, VerifiedSamlResponse } from './sp.js';

const ACS = 'https://rolegate.example.com/auth/saml/acs';
const IDP = 'https://idp.example.com';
const NOW = Date.parse('2026-12-07T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A repository in memory with the same single-use semantics as the Postgres one. */
function memoryRequests() {
  const rows = new Map<string, SamlRequestRecord & { createdAt: Date }>();
  const repo = {
    createRequest: async (r: SamlRequestRecord) => void rows.set(r.id, { ...r, createdAt: new Date(NOW) }),
    findRequest: async (id: string, sessionId: string) => {
      const r = rows.get(id);
      return r && r.sessionId === sessionId ? { createdAt: r.createdAt } : null;
    },
    consumeRequest: async (id: string, sessionId: string) => {
      const r = rows.get(id);
      if (!r || r.sessionId !== sessionId) return null;
      rows.delete(id);
      return { id: r.id, sessionId: r.sessionId, returnTo: r.returnTo };
    },
    markAssertionUsed: async () => true,
    purgeExpired: async () => 0,
  };
  return { rows, repo: repo as unknown as SamlRepository };
}

function verified(requestId: string): VerifiedSamlResponse {
  return {
    nameId: 'alice@example.com',
    attributes: {},
    response: { destination: ACS, inResponseTo: requestId, issuer: IDP, statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success' },
    assertion: {
      id: '_a1',
      issuer: IDP,
      issueInstant: iso(NOW),
      conditionsNotBefore: null,
      conditionsNotOnOrAfter: iso(NOW + 300_000),
      confirmations: [
        { method: 'urn:oasis:names:tc:SAML:2.0:cm:bearer', recipient: ACS, notBefore: null, notOnOrAfter: iso(NOW + 300_000), inResponseTo: requestId },
      ],
    },
    authnInstant: iso(NOW),
  };
}

const log = { warn: () => {}, info: () => {}, error: () => {} } as unknown as Logger;

function service(sp: Partial<SamlServiceProvider>, requests: SamlRepository) {
  return createSamlLoginService({
    sp: sp as SamlServiceProvider,
    settings: {
      acsUrl: ACS,
      idpIssuer: IDP,
      allowIdpInitiated: false,
      clockSkewMs: 60_000,
      maxAssertionAgeSeconds: 600,
      groupsAttribute: 'groups',
      emailAttribute: 'email',
    },
    requests,
    users: { upsertOnSignIn: async () => 'user-1' } as unknown as UserRepository,
    log,
    now: () => NOW,
  });
}

const req = { body: { SAMLResponse: Buffer.from('<x/>').toString('base64') } } as unknown as Request;
const res = {} as Response;

describe('SAML login over the strategy’s cache provider', () => {
  // node-saml reads the request id through the cache, verifies, then removes it, ignoring
  // what the removal found. If another Response for the same request removed it in between
  // (two Responses racing for one AuthnRequest), this one must be refused, not signed in.
  it('refuses a Response whose request id another Response consumed between the strategy’s read and removal', async () => {
    const { rows, repo } = memoryRequests();
    let requestId = '';
    const sp: Partial<SamlServiceProvider> = {
      redirectToIdp: async (_q: Request, _s: Response, ctx: SamlRequestContext) => {
        requestId = '_req1';
        await ctx.cache.saveAsync(requestId, iso(NOW));
      },
      verify: async (_q: Request, _s: Response, _xml: string, ctx: SamlRequestContext) => {
        expect(await ctx.cache.getAsync(requestId)).toBe(iso(NOW));
        rows.delete(requestId); // the competing Response wins the DELETE
        await ctx.cache.removeAsync(requestId);
        return verified(requestId);
      },
    };
    const login = service(sp, repo);
    const secret = login.newBrowserSecret();
    await login.begin(req, res, secret, '/grants');
    const err = await login.complete(req, res, secret).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAppError(err) && err.code).toBe('LOGIN_FAILED');
  });

  it('signs in when its own removal consumed the request, with the stored returnTo', async () => {
    const { rows, repo } = memoryRequests();
    const sp: Partial<SamlServiceProvider> = {
      redirectToIdp: async (_q: Request, _s: Response, ctx: SamlRequestContext) => void (await ctx.cache.saveAsync('_req2', iso(NOW))),
      verify: async (_q: Request, _s: Response, _xml: string, ctx: SamlRequestContext) => {
        await ctx.cache.removeAsync('_req2');
        return verified('_req2');
      },
    };
    const login = service(sp, repo);
    const secret = login.newBrowserSecret();
    await login.begin(req, res, secret, '/grants');
    expect(rows.get('_req2')?.sessionId).not.toBe(secret);
    const out = await login.complete(req, res, secret);
    expect(out.returnTo).toBe('/grants');
    expect(rows.has('_req2')).toBe(false);
  });

  // Login CSRF: the cache answers only for the browser that started the request.
  it('finds no request for another browser’s secret', async () => {
    const { repo } = memoryRequests();
    let seen: string | null = 'unset';
    const sp: Partial<SamlServiceProvider> = {
      redirectToIdp: async (_q: Request, _s: Response, ctx: SamlRequestContext) => void (await ctx.cache.saveAsync('_req3', iso(NOW))),
      verify: async (_q: Request, _s: Response, _xml: string, ctx: SamlRequestContext) => {
        seen = await ctx.cache.getAsync('_req3');
        throw new Error('unreachable in this test');
      },
    };
    const login = service(sp, repo);
    await login.begin(req, res, login.newBrowserSecret(), '/');
    await login.complete(req, res, login.newBrowserSecret()).catch(() => null);
    expect(seen).toBeNull();
  });
});
