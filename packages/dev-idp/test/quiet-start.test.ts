// `npm start` must print no warnings (issue 11 §6): the demo IdPs used to warn
// at every start — oidc-provider about defaulting to its in-memory adapter,
// samlify about metadata without a SingleLogoutService.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDevOidcProvider, startDevSamlIdp } from '../src/index.js';

describe('the demo IdPs start without warnings', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints nothing on console.warn or as a process warning while both start and serve their metadata', async () => {
    const warn = vi.spyOn(console, 'warn');
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const oidc = await startDevOidcProvider({ clients: [{ clientId: 'c', clientSecret: 's'.repeat(32), redirectUris: ['http://127.0.0.1:1/cb'] }] });
    const saml = await startDevSamlIdp({ sp: { entityId: 'http://127.0.0.1:1/sp', acsUrl: 'http://127.0.0.1:1/acs' } });
    try {
      expect((await fetch(`${oidc.issuer}/.well-known/openid-configuration`)).status).toBe(200);
      const metadata = await (await fetch(saml.metadataUrl)).text();
      // The advertised logout endpoint exists (the demo IdP keeps no session to end).
      const slo = /SingleLogoutService[^>]*Location="([^"]+)"/.exec(metadata)?.[1];
      expect(slo).toBe(saml.ssoUrl.replace(/\/sso$/, '/slo'));
      const page = await fetch(slo!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('signed out of the demo IdP');
    } finally {
      process.off('warning', onWarning);
      await oidc.close();
      await saml.close();
    }
    expect(warn).not.toHaveBeenCalled();
    expect(warnings).toEqual([]);
  });
});
