import express, { Router } from 'express';
import { ROUTES, slackInteractionForm, slackInteractionPayload } from '@rolegate/contract';
import { AppError, type Principal } from '@rolegate/core';
import type { SlackRepository } from '@rolegate/db';
import { parseBody } from '../http/parse.js';
import { routesAt } from '../http/route.js';
import type { SlackUserFacts } from '../notifications/channels.js';
import { APPROVE_ACTION } from '../notifications/slack-message.js';
import type { RequestService } from '../services/request-service.js';
import { checkSlackSignature, SLACK_WINDOW_SECONDS } from './signature.js';

export interface SlackInteractionDeps {
  /** SLACK_SIGNING_SECRET; null = Slack is not configured (404). */
  signingSecret: string | null;
  /** SLACK_APPROVE_IN_SLACK: off by default, because an approval in Slack skips the IdP step-up. */
  approveInSlack: boolean;
  slack: Pick<SlackRepository, 'rememberSignature' | 'peopleByEmail'>;
  /** Asks Slack who clicked (users.info); null without a bot token. */
  lookupUser: ((slackUserId: string) => Promise<SlackUserFacts | null>) | null;
  requests: Pick<RequestService, 'approve'>;
  /** With SCIM on, a person's groups as SCIM makes them (as for every request with a session); otherwise their last sign-in's. */
  groupsOf?: ((who: { email: string; groups: readonly string[] }) => Promise<readonly string[]>) | null;
  clock?: { now(): Date };
}

/**
 * The Rolegate person behind a Slack user: Slack's verified profile email
 * (users.info), matched to exactly one person who signed in. Two people
 * with one address, or none, refuse: an approval must never land on a
 * guessed identity. Their groups are those of their last sign-in, or with
 * SCIM on what SCIM makes of them, as for a request with a session.
 * @throws AppError SLACK_USER_UNKNOWN
 */
async function personOf(deps: SlackInteractionDeps, slackUserId: string): Promise<Principal> {
  const facts = await deps.lookupUser!(slackUserId);
  if (!facts?.email || facts.deleted || facts.isBot) throw new AppError('SLACK_USER_UNKNOWN', 'Slack did not give an email for this user');
  const people = await deps.slack.peopleByEmail(facts.email);
  if (people.length !== 1) throw new AppError('SLACK_USER_UNKNOWN', 'No single Rolegate person has this Slack user’s email; approve on the request page');
  const p = people[0]!;
  const groups = deps.groupsOf ? await deps.groupsOf(p) : p.groups;
  return { userId: p.id, email: p.email, displayName: p.displayName, subject: p.subject, idp: p.idp, groups };
}

/**
 * `POST /api/slack/interactions`, mounted before the session and the body
 * parsers: the signature covers the raw bytes, so this route reads them
 * itself. Order: signature and timestamp, then replay (the signature is
 * remembered in Postgres for the window, so a second delivery of one
 * request is refused on any replica), then the action. A "Review" click is
 * a link and changes nothing; "Approve" goes through the same service call
 * as the request page, with every rule (no self-approval, quorum, distinct
 * people, stages) — only the step-up is skipped, which is why it is off
 * unless SLACK_APPROVE_IN_SLACK says otherwise.
 */
export function slackInteractionRoutes(deps: SlackInteractionDeps) {
  const r = Router();
  const on = routesAt(r, '/api/slack');
  const now = () => (deps.clock ?? { now: () => new Date() }).now();
  on(ROUTES.slackInteractions, express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
    if (!deps.signingSecret) throw new AppError('NOT_FOUND', 'Slack is not configured');
    const signature = req.get('x-slack-signature');
    const check = checkSlackSignature({
      secret: deps.signingSecret,
      timestamp: req.get('x-slack-request-timestamp'),
      signature,
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      nowSeconds: Math.floor(now().getTime() / 1000),
    });
    if (!check.ok) {
      if (check.reason === 'stale') throw new AppError('SLACK_REQUEST_STALE', 'The request timestamp is more than 5 minutes away');
      throw new AppError('SLACK_SIGNATURE_INVALID', 'The Slack signature is missing or does not verify');
    }
    if (!(await deps.slack.rememberSignature(signature!, SLACK_WINDOW_SECONDS))) throw new AppError('SLACK_REPLAY', 'This Slack request was received already');

    const form = parseBody(slackInteractionForm, Object.fromEntries(new URLSearchParams((req.body as Buffer).toString('utf8'))));
    let json: unknown;
    try {
      json = JSON.parse(form.payload);
    } catch {
      throw new AppError('VALIDATION_FAILED', 'payload: is not JSON');
    }
    const payload = parseBody(slackInteractionPayload, json);
    const approve = payload.actions.find((a) => a.action_id === APPROVE_ACTION);
    if (!approve) return void res.json({ ok: true, outcome: 'ignored' });
    if (!deps.approveInSlack || !deps.lookupUser) throw new AppError('SLACK_APPROVAL_DISABLED', 'Approving in Slack is off: approve on the request page');
    if (!approve.value || !/^[0-9a-f-]{36}$/.test(approve.value)) throw new AppError('VALIDATION_FAILED', 'actions.value: is not a request id');
    const person = await personOf(deps, payload.user.id);
    const view = await deps.requests.approve(person, approve.value, 'approved in Slack');
    res.json({ ok: true, outcome: view.status === 'pending' ? 'approval-counted' : 'approved' });
  });
  return r;
}
