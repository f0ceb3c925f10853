import { z } from 'zod';

/*
 * The CLI's sign-in (`/api/cli/*`, no session: the loopback code with its
 * PKCE verifier, or the device code, is the credential) and the portal's
 * list of the person's own CLI tokens. Also the form fields of the browser
 * pages `/cli/login` and `/cli/device` where a signed-in person approves a CLI.
 */

/** `POST /api/cli/device`: start a device sign-in (RFC 8628); `label` names the client on the approval page. */
export const cliDeviceRequest = z.strictObject({ label: z.string().max(256).optional() });
export type CliDeviceRequest = z.infer<typeof cliDeviceRequest>;

/** The device code is shown once and stored only as a hash; the person types `userCode` at `verificationUri`. */
export const cliDeviceResponse = z.object({
  deviceCode: z.string(),
  userCode: z.string(),
  verificationUri: z.string(),
  expiresIn: z.number().int(),
  interval: z.number().int(),
});
export type CliDeviceResponse = z.infer<typeof cliDeviceResponse>;

/**
 * `POST /api/cli/token`: a loopback code with the PKCE verifier of the CLI
 * that started the sign-in, or a device code (polled; 400
 * AUTHORIZATION_PENDING / SLOW_DOWN / EXPIRED_TOKEN / ACCESS_DENIED until decided).
 */
export const cliTokenRequest = z.union([
  z.strictObject({ code: z.string().min(1).max(256), codeVerifier: z.string().min(1).max(256) }),
  z.strictObject({ deviceCode: z.string().min(1).max(256) }),
]);
export type CliTokenRequest = z.infer<typeof cliTokenRequest>;

/** The bearer token (shown once), its id and expiry, and whom it acts for. */
export const cliTokenResponse = z.object({
  token: z.string(),
  tokenId: z.string(),
  expiresAt: z.string(),
  user: z.object({ email: z.string() }),
});
export type CliTokenResponse = z.infer<typeof cliTokenResponse>;

/** One of the caller's working CLI tokens (never the secret). */
export const cliToken = z.object({
  id: z.string(),
  label: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type CliToken = z.infer<typeof cliToken>;

/** `GET /api/cli/tokens`: the caller's own working tokens. */
export const cliTokenList = z.object({ items: z.array(cliToken) });
export type CliTokenList = z.infer<typeof cliTokenList>;

/** `GET /api/cli/tokens/:id` and the other `:id` routes. */
export const idParams = z.object({ id: z.string() });

/** Query of `/cli/login`, as the CLI opens it in the browser (checked by the server's loopback rules). */
export const cliLoopbackQuery = z.object({
  port: z.string().describe('The CLI listener on 127.0.0.1: 1024..65535'),
  state: z.string().describe('16 to 128 characters of [A-Za-z0-9_-]'),
  code_challenge: z.string().describe('PKCE S256 challenge, 43 characters'),
  label: z.string().optional(),
});

/** Form of `POST /cli/device`: the code typed by the person (never taken from a link). */
export const cliDeviceCodeForm = z.object({ user_code: z.string() });

/** Form of `POST /cli/device/decide`. */
export const cliDeviceDecisionForm = z.object({ user_code: z.string(), decision: z.enum(['approve', 'deny']) });
