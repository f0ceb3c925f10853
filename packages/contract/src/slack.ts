import { z } from 'zod';

/** `POST /api/slack/interactions`: Slack's form body (its JSON is in `payload`). */
export const slackInteractionForm = z.object({ payload: z.string().max(60_000) });

/** The part of a Slack `block_actions` payload Rolegate reads. */
export const slackInteractionPayload = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]{2,40}$/) }),
  actions: z
    .array(z.object({ action_id: z.string().max(255), value: z.string().max(2000).optional() }))
    .min(1)
    .max(5),
});
export type SlackInteractionPayload = z.infer<typeof slackInteractionPayload>;

/** The answer to an interaction (Slack shows nothing of it for block actions; it helps operators reading logs). */
export const slackInteractionResponse = z.object({ ok: z.literal(true), outcome: z.enum(['ignored', 'approved', 'approval-counted']) });
