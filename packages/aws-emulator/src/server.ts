import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { authenticate, type SignedService } from './auth.js';
import type { EmulatorContext } from './context.js';
import { AwsError } from './errors.js';
import { consolePage, getSigninToken, login, type WebResponse } from './federation.js';
import { redactParams } from './redact.js';
import { handleIamAction } from './iam.js';
import { listBuckets } from './s3.js';
import { handleStsAction } from './sts.js';
import type { EmulatorFault, EmulatorRequest, FaultAction } from './types.js';
import { iamErrorXml, newRequestId, s3ErrorXml, stsErrorXml } from './xml.js';

const MAX_BODY_BYTES = 256 * 1024;

/** What the HTTP server needs: shared state, the current faults and where to log. */
export interface ServerDeps {
  ctx: EmulatorContext;
  faults: Map<FaultAction, EmulatorFault>;
  log: (entry: EmulatorRequest) => void;
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, requestId: string, r: WebResponse): void {
  res.writeHead(r.status, {
    'content-type': r.contentType,
    'content-length': Buffer.byteLength(r.body),
    'x-amzn-RequestId': requestId,
    ...r.headers,
  });
  res.end(r.body);
}

const stsError = (e: AwsError, requestId: string): WebResponse => ({
  status: e.status,
  contentType: 'text/xml',
  body: stsErrorXml(e.type, e.code, e.message, requestId),
  errorCode: e.code,
});

/** An AwsError in the wire format of the service that raised it. */
function serviceError(service: SignedService, e: AwsError, requestId: string): WebResponse {
  if (service === 'sts') return stsError(e, requestId);
  const body = service === 'iam' ? iamErrorXml(e.type, e.code, e.message, requestId) : s3ErrorXml(e.code, e.message, requestId);
  return { status: e.status, contentType: service === 'iam' ? 'text/xml' : 'application/xml', body, errorCode: e.code };
}

/** The service named in the SigV4 credential scope of a request ("sts" when there is none: STS answers unsigned calls). */
function scopedService(req: IncomingMessage): SignedService {
  const auth = req.headers.authorization;
  const m = typeof auth === 'string' ? /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/.exec(auth) : null;
  return m?.[1] === 'iam' ? 'iam' : m?.[1] === 's3' ? 's3' : 'sts';
}

/** The error an injected fault produces (as the service answers it), or undefined for delay (which has already waited). */
function faultError(fault: EmulatorFault, service: SignedService | 'federation'): AwsError | undefined {
  if (fault.kind === 'throttle') {
    if (service === 's3') return new AwsError(503, 'SlowDown', 'Please reduce your request rate.');
    return new AwsError(service === 'federation' ? 429 : 400, 'Throttling', 'Rate exceeded');
  }
  if (fault.kind === 'http5xx') {
    const status = fault.status ?? 500;
    if (status === 503) return new AwsError(503, 'ServiceUnavailable', 'Service is unable to handle request.', 'Receiver');
    const code = service === 'iam' ? 'ServiceFailure' : service === 's3' ? 'InternalError' : 'InternalFailure';
    return new AwsError(status, code, 'The request processing has failed because of an unknown error, exception or failure.', 'Receiver');
  }
  return undefined;
}

type Handler = (entry: EmulatorRequest, params: Record<string, string>, req: IncomingMessage, body: string, requestId: string) => Promise<WebResponse>;

/** STS, IAM (Query protocol) and S3 ListBuckets at "/": authenticate for the scoped service, then run the action. */
async function handleSigned(
  ctx: EmulatorContext,
  service: SignedService,
  entry: EmulatorRequest,
  params: Record<string, string>,
  req: IncomingMessage,
  body: string,
  requestId: string,
): Promise<WebResponse> {
  try {
    const principal = await authenticate(ctx, { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, service);
    entry.callerArn = principal.arn;
    if (service === 's3') return { status: 200, contentType: 'application/xml', body: listBuckets(ctx, principal, ctx.region) };
    const xml =
      service === 'iam' ? handleIamAction(ctx, entry.action, principal, params, requestId) : handleStsAction(ctx, entry.action, principal, params, requestId);
    return { status: 200, contentType: 'text/xml', body: xml };
  } catch (e) {
    if (e instanceof AwsError) return serviceError(service, e, requestId);
    throw e;
  }
}

function handleFederation(ctx: EmulatorContext, entry: EmulatorRequest, params: Record<string, string>): WebResponse {
  if (entry.action === 'getSigninToken') return getSigninToken(ctx, params);
  if (entry.action === 'login') return login(ctx, params);
  return { status: 400, contentType: 'text/plain; charset=utf-8', body: 'Unsupported Action\n', errorCode: 'InvalidAction' };
}

/**
 * Creates the HTTP server: STS, IAM and S3 ListBuckets at "/" (told apart by the SigV4 credential scope),
 * the federation endpoint at "/federation", the console at "/console".
 */
export function createEmulatorServer({ ctx, faults, log }: ServerDeps): Server {
  const route = (path: string, req: IncomingMessage): { service: EmulatorRequest['service']; handler: Handler } | undefined => {
    const method = req.method ?? 'GET';
    const signed = scopedService(req);
    if (path === '/' && signed === 's3' && method === 'GET') {
      return { service: 's3', handler: (entry, params, r, body, id) => handleSigned(ctx, 's3', entry, params, r, body, id) };
    }
    if (path === '/' && signed !== 's3' && (method === 'POST' || method === 'GET')) {
      return { service: signed, handler: (entry, params, r, body, id) => handleSigned(ctx, signed, entry, params, r, body, id) };
    }
    if (path === '/federation' && (method === 'POST' || method === 'GET')) {
      return { service: 'federation', handler: async (entry, params) => handleFederation(ctx, entry, params) };
    }
    if (path === '/console' && method === 'GET') return { service: 'console', handler: async (_e, params) => consolePage(ctx, params) };
    return undefined;
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = newRequestId();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const target = route(url.pathname, req);
    if (!target) return send(res, requestId, { status: 404, contentType: 'text/plain; charset=utf-8', body: 'Not Found\n' });
    let body: string;
    try {
      body = await readBody(req);
    } catch (e) {
      if (!(e instanceof BodyTooLarge)) throw e;
      res.setHeader('connection', 'close');
      return send(res, requestId, { status: 413, contentType: 'text/plain; charset=utf-8', body: 'Request body too large\n' });
    }
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
    }
    const action = target.service === 'console' ? 'console' : target.service === 's3' ? 'ListBuckets' : (params.Action ?? '');
    const entry: EmulatorRequest = { at: ctx.now().toISOString(), service: target.service, action, status: 0, params: redactParams(params), requestId };

    const fault = faults.get(action as FaultAction);
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (fault?.kind === 'reset') {
      log({ ...entry, errorCode: 'ConnectionReset' });
      req.socket.destroy();
      return;
    }
    const injected = fault && target.service !== 'console' ? faultError(fault, target.service) : undefined;
    let response: WebResponse;
    if (injected && target.service !== 'federation') response = serviceError(target.service as SignedService, injected, requestId);
    else if (injected)
      response = { status: injected.status, contentType: 'text/plain; charset=utf-8', body: `${injected.message}\n`, errorCode: injected.code };
    else response = await target.handler(entry, params, req, body, requestId);
    if (response.callerArn) entry.callerArn = response.callerArn;
    log({ ...entry, status: response.status, ...(response.errorCode ? { errorCode: response.errorCode } : {}) });
    send(res, requestId, response);
  };

  return createServer((req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      const requestId = newRequestId();
      console.error('aws-emulator: unexpected error', err);
      if (!res.headersSent) send(res, requestId, stsError(new AwsError(500, 'InternalFailure', 'Internal error', 'Receiver'), requestId));
      else res.destroy();
    });
  });
}
