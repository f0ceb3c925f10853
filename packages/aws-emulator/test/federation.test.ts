import { describe, expect, it } from 'vitest';
import type { AwsEmulator } from '../src/index.js';
import { ADMIN_ROLE, BROKER, CHAINED_BROKER, DEV_ROLE, SECOND_ROLE, assume, sessionJson, startTestEmulator } from './helpers.js';

const DESTINATION = 'https://console.aws.amazon.com/ec2/home?region=us-east-1';

async function getToken(em: AwsEmulator, params: Record<string, string>, method: 'GET' | 'POST' = 'GET'): Promise<Response> {
  const body = new URLSearchParams({ Action: 'getSigninToken', ...params });
  return method === 'GET' ? fetch(`${em.federationUrl}?${body}`) : fetch(em.federationUrl, { method: 'POST', body });
}

async function tokenFor(em: AwsEmulator, params: Record<string, string>): Promise<string> {
  const res = await getToken(em, params);
  expect(res.status).toBe(200);
  return ((await res.json()) as { SigninToken: string }).SigninToken;
}

const loginUrl = (em: AwsEmulator, token: string, destination = DESTINATION): string =>
  `${em.federationUrl}?${new URLSearchParams({ Action: 'login', Issuer: 'https://rolegate.example', Destination: destination, SigninToken: token })}`;

/** Follows login's redirect by hand and returns the console page's HTML. */
async function openConsole(em: AwsEmulator, token: string): Promise<{ login: Response; page: Response; html: string }> {
  const login = await fetch(loginUrl(em, token), { redirect: 'manual' });
  expect(login.status).toBe(302);
  const location = login.headers.get('location')!;
  expect(location).toMatch(/^\/console\?session=/);
  expect(location).not.toContain(token);
  const page = await fetch(new URL(location, em.url));
  return { login, page, html: await page.text() };
}

const textOf = (html: string, id: string): string | undefined => new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1];

describe('federation sign-in', () => {
  it.each(['GET', 'POST'] as const)('getSigninToken by %s, then login, lands on the console page as the role', async (method) => {
    const em = await startTestEmulator();
    const creds = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice@example.com', DurationSeconds: 3600 });
    const res = await getToken(em, { Session: sessionJson(creds), SessionDuration: '43200' }, method);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const { SigninToken } = (await res.json()) as { SigninToken: string };
    expect(SigninToken.length).toBeGreaterThan(200);

    const { page, html } = await openConsole(em, SigninToken);
    expect(page.status).toBe(200);
    expect(html).toContain('<title>AWS Management Console (emulated)</title>');
    expect(textOf(html, 'role-name')).toBe('Developer');
    expect(textOf(html, 'account-id')).toBe('222222222222');
    expect(textOf(html, 'session-name')).toBe('alice@example.com');
    expect(textOf(html, 'role-arn')).toBe('arn:aws:sts::222222222222:assumed-role/Developer/alice@example.com');
    expect(textOf(html, 'destination')).toBe(DESTINATION.replace(/&/g, '&amp;'));
    const expiry = Date.parse(textOf(html, 'session-expiry')!);
    expect(expiry - Date.now()).toBeGreaterThan(43100_000); // SessionDuration, not the 1 h credentials
    expect(em.requests.map((r) => r.action)).toEqual(['AssumeRole', 'getSigninToken', 'login', 'console']);
    expect(em.requests.map((r) => r.service)).toEqual(['sts', 'federation', 'federation', 'console']);
  });

  it('without SessionDuration the console session ends with the credentials', async () => {
    const em = await startTestEmulator();
    const creds = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice', DurationSeconds: 1800 });
    const { html } = await openConsole(em, await tokenFor(em, { Session: sessionJson(creds) }));
    expect(textOf(html, 'session-expiry')).toBe(creds.raw.Expiration!.toISOString());
  });

  it('a sign-in token works once', async () => {
    const em = await startTestEmulator();
    const creds = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice' });
    const token = await tokenFor(em, { Session: sessionJson(creds) });
    await openConsole(em, token);
    const again = await fetch(loginUrl(em, token), { redirect: 'manual' });
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toContain('text/html');
    expect(em.requests.at(-1)).toMatchObject({ action: 'login', status: 400, errorCode: 'InvalidSigninToken' });
  });

  it('a sign-in token expires 15 minutes after issue', async () => {
    let clock = new Date();
    const em = await startTestEmulator({ now: () => clock });
    const creds = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice' });
    const fresh = await tokenFor(em, { Session: sessionJson(creds) });
    const stale = await tokenFor(em, { Session: sessionJson(creds) });
    clock = new Date(clock.getTime() + 14 * 60_000);
    expect((await fetch(loginUrl(em, fresh), { redirect: 'manual' })).status).toBe(302);
    clock = new Date(clock.getTime() + 60_000);
    expect((await fetch(loginUrl(em, stale), { redirect: 'manual' })).status).toBe(400);
  });

  it('refuses a non-https or relative Destination without burning the token', async () => {
    const em = await startTestEmulator();
    const creds = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice' });
    const token = await tokenFor(em, { Session: sessionJson(creds) });
    expect((await fetch(loginUrl(em, token, 'http://console.aws.amazon.com/'), { redirect: 'manual' })).status).toBe(400);
    expect((await fetch(loginUrl(em, token, '/ec2'), { redirect: 'manual' })).status).toBe(400);
    expect((await fetch(loginUrl(em, token), { redirect: 'manual' })).status).toBe(302);
  });

  it('refuses SessionDuration for role-chained credentials (issued to an assumed role)', async () => {
    const em = await startTestEmulator();
    const dev = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice' });
    const second = await assume(em, { RoleArn: SECOND_ROLE, RoleSessionName: 'alice' }, dev);
    const res = await getToken(em, { Session: sessionJson(second), SessionDuration: '3600' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('role-chained');
    expect((await getToken(em, { Session: sessionJson(second) })).status).toBe(200);
  });

  it('refuses SessionDuration when the broker itself runs on a role', async () => {
    const em = await startTestEmulator();
    const creds = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice' }, CHAINED_BROKER);
    expect((await getToken(em, { Session: sessionJson(creds), SessionDuration: '900' })).status).toBe(400);
    const direct = await assume(em, { RoleArn: ADMIN_ROLE, RoleSessionName: 'alice' }, BROKER);
    expect((await getToken(em, { Session: sessionJson(direct), SessionDuration: '900' })).status).toBe(200);
  });

  it.each([
    ['long-term keys the emulator did not issue', () => ({ sessionId: BROKER.accessKeyId, sessionKey: BROKER.secretAccessKey, sessionToken: 'x' })],
    ['malformed JSON', () => 'not json'],
  ])('refuses %s', async (_label, session) => {
    const em = await startTestEmulator();
    const value = session();
    const res = await getToken(em, { Session: typeof value === 'string' ? value : JSON.stringify(value) });
    expect(res.status).toBe(400);
    expect(em.requests.at(-1)).toMatchObject({ action: 'getSigninToken', status: 400 });
  });

  it('refuses issued credentials with a wrong secret or token, or after expiry', async () => {
    let clock = new Date();
    const em = await startTestEmulator({ now: () => clock });
    const creds = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice', DurationSeconds: 900 });
    expect((await getToken(em, { Session: sessionJson({ ...creds, secretAccessKey: 'wrong' }) })).status).toBe(400);
    expect((await getToken(em, { Session: sessionJson({ ...creds, sessionToken: 'wrong' }) })).status).toBe(400);
    expect((await getToken(em, { Session: sessionJson(creds), SessionDuration: '899' })).status).toBe(400);
    expect((await getToken(em, { Session: sessionJson(creds) })).status).toBe(200);
    clock = new Date(clock.getTime() + 900_000);
    expect((await getToken(em, { Session: sessionJson(creds) })).status).toBe(400);
  });

  it('the console refuses an unknown console session', async () => {
    const em = await startTestEmulator();
    const res = await fetch(`${em.url}/console?session=forged`);
    expect(res.status).toBe(401);
    expect(em.requests.at(-1)).toMatchObject({ service: 'console', action: 'console', status: 401 });
  });
});
