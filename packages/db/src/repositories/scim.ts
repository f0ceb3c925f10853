import type pg from 'pg';
import { personCutOffTime } from '@rolegate/core';
import { db } from '../errors.js';
import { inTransaction } from '../transaction.js';
import { insertPersonRevocations } from './revocations.js';
import { closeRequestsOfCutOff } from './requests.js';

/*
 * SCIM provisioning store (plain SQL): people and groups as the IdP pushed
 * them, their memberships, the IdP's bearer tokens (HMACs only), the
 * append-only change log and recent refused requests. Every write runs in one
 * transaction with its scim_changes row; deactivating or deleting a person
 * also ends their Rolegate sessions and CLI tokens in that transaction.
 */

/** Who made a SCIM change: the token (its label) for the IdP, an admin's email for token management. */
export interface ScimActor {
  label: string;
  tokenId: string | null;
}

/** The columns derived from a user resource, plus the resource itself (without id, meta, groups). */
export interface ScimUserWrite {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  /** The primary (else first) email, as pushed; matched case-insensitively to sign-ins. */
  email: string | null;
  data: Record<string, unknown>;
}

export interface ScimUserRow extends ScimUserWrite {
  id: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  groups: { id: string; displayName: string }[];
}

export interface ScimGroupWrite {
  displayName: string;
  externalId: string | null;
  /** SCIM user ids. */
  members: string[];
}

export interface ScimGroupRow {
  id: string;
  displayName: string;
  externalId: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Omitted (null) when the caller asked for no members. */
  members: { id: string; userName: string; displayName: string | null }[] | null;
  memberCount: number;
}

export interface ScimTokenRecord {
  id: string;
  label: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface ScimChangeRecord {
  id: string;
  createdAt: Date;
  actor: string;
  tokenId: string | null;
  action: string;
  resourceType: string;
  resourceId: string;
  detail: Record<string, unknown> | null;
}

/** An equality filter the store can answer: attribute (lower-case name) and value. */
export interface ScimEqFilter {
  attribute: 'username' | 'externalid' | 'displayname' | 'id';
  value: string;
}

/** The outcome of a write: the row, or why not. */
export type ScimWriteResult<T> =
  { ok: true; row: T } | { ok: false; reason: 'not-found' | 'conflict' | 'version-mismatch' | 'unknown-member'; detail?: string };

/** What an entitlement check needs to know about a signed-in person. */
export interface ScimMembership {
  /** False until the IdP made its first change (SCIM is not the truth yet). */
  provisioned: boolean;
  /** Groups (by display name and by external id) of the active SCIM users matching the email. */
  groups: { displayName: string; externalId: string | null }[];
}

/** Result of ending a person's access when the IdP deactivated or deleted them. */
export interface CutOffCounts {
  users: number;
  sessions: number;
  cliTokens: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (s: string) => UUID.test(s);
const lower = (s: string | null) => (s === null ? null : s.toLowerCase());
const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

type UserDbRow = {
  id: string;
  user_name: string;
  external_id: string | null;
  display_name: string | null;
  active: boolean;
  email_key: string | null;
  data: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
  groups: { id: string; displayName: string }[] | null;
};

const USER_COLUMNS = `u.id, u.user_name, u.external_id, u.display_name, u.active, u.email_key, u.data, u.version, u.created_at, u.updated_at,
  (SELECT coalesce(json_agg(json_build_object('id', g.id, 'displayName', g.display_name) ORDER BY g.display_name), '[]'::json)
     FROM scim_group_members m JOIN scim_groups g ON g.id = m.group_id WHERE m.user_id = u.id) AS groups`;

const toUser = (r: UserDbRow): ScimUserRow => ({
  id: r.id,
  userName: r.user_name,
  externalId: r.external_id,
  displayName: r.display_name,
  active: r.active,
  email: r.email_key,
  data: r.data,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  groups: r.groups ?? [],
});

type GroupDbRow = { id: string; display_name: string; external_id: string | null; version: number; created_at: Date; updated_at: Date; member_count: number };

const USER_FILTER_COLUMN: Record<ScimEqFilter['attribute'], string> = {
  // userName is caseExact false (RFC 7643 4.1.1); externalId is caseExact true.
  username: 'u.user_name_key = lower($1)',
  externalid: 'u.external_id = $1',
  displayname: 'lower(u.display_name) = lower($1)',
  id: 'u.id = $1::uuid',
};
const GROUP_FILTER_COLUMN: Record<ScimEqFilter['attribute'], string> = {
  username: 'FALSE',
  externalid: 'g.external_id = $1',
  displayname: 'g.display_name_key = lower($1)',
  id: 'g.id = $1::uuid',
};

async function recordChange(
  c: pg.PoolClient,
  actor: ScimActor,
  action: string,
  resourceType: string,
  resourceId: string,
  detail: Record<string, unknown> | null,
) {
  await c.query(`INSERT INTO scim_changes (actor, token_id, action, resource_type, resource_id, detail) VALUES ($1, $2, $3, $4, $5, $6)`, [
    actor.label,
    actor.tokenId,
    action,
    resourceType,
    resourceId,
    detail === null ? null : JSON.stringify(detail),
  ]);
}

/**
 * Ends every browser session and revokes every CLI token of the Rolegate
 * people whose email is one of `emails` (lower-case), drops the CLI sign-ins
 * they approved, and records it. Session deletes NOTIFY every instance.
 */
async function cutOff(c: pg.PoolClient, actor: ScimActor, scimUser: { id: string; userName: string }, emails: string[], why: string): Promise<CutOffCounts> {
  const keys = [...new Set(emails.filter(Boolean))];
  if (keys.length === 0) return { users: 0, sessions: 0, cliTokens: 0 };
  const users = (await c.query<{ id: string }>(`SELECT id FROM users WHERE lower(email) = ANY($1::text[])`, [keys])).rows.map((r) => r.id);
  if (users.length === 0) return { users: 0, sessions: 0, cliTokens: 0 };
  const sessions = (await c.query(`DELETE FROM web_sessions WHERE user_id = ANY($1::uuid[])`, [users])).rowCount ?? 0;
  const cliTokens = (await c.query(`UPDATE cli_tokens SET revoked_at = now() WHERE user_id = ANY($1::uuid[]) AND revoked_at IS NULL`, [users])).rowCount ?? 0;
  await c.query(`DELETE FROM cli_login_requests WHERE user_id = ANY($1::uuid[])`, [users]);
  // Their live AWS sessions too: person revocations, written ahead in this transaction (the worker applies them).
  const now = (await c.query<{ now: Date }>(`SELECT now() AS now`)).rows[0]!.now;
  const revocation = await insertPersonRevocations(c, {
    userIds: users,
    revokedBefore: personCutOffTime(now),
    requester: { id: null, email: actor.label, reason: `provisioning: ${why}` },
  });
  const requests = await closeRequestsOfCutOff(c, users, { id: null, email: actor.label }, `provisioning: ${why}`);
  const counts = { users: users.length, sessions, cliTokens };
  await recordChange(c, actor, 'cut-off', 'User', scimUser.id, {
    windowsEnded: requests.windows,
    requestsCancelled: requests.pending,
    userName: scimUser.userName,
    why,
    userIds: users,
    ...counts,
    revocationBatch: revocation.batchId,
    accountIds: revocation.accountIds,
  });
  return counts;
}

/** The SCIM store. Every method may throw AppError DATABASE_UNAVAILABLE. */
export function createScimRepository(pool: pg.Pool) {
  let provisioned = false;
  async function userById(c: pg.Pool | pg.PoolClient, id: string, lock = false): Promise<ScimUserRow | null> {
    if (!isUuid(id)) return null;
    const res = await c.query<UserDbRow>(`SELECT ${USER_COLUMNS} FROM scim_users u WHERE u.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return res.rows[0] ? toUser(res.rows[0]) : null;
  }

  async function groupById(c: pg.Pool | pg.PoolClient, id: string, withMembers: boolean, lock = false): Promise<ScimGroupRow | null> {
    if (!isUuid(id)) return null;
    const res = await c.query<GroupDbRow>(
      `SELECT g.*, (SELECT count(*)::int FROM scim_group_members m WHERE m.group_id = g.id) AS member_count FROM scim_groups g WHERE g.id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    const row = res.rows[0];
    if (!row) return null;
    return { ...toGroup(row), members: withMembers ? await membersOf(c, [row.id]).then((m) => m.get(row.id) ?? []) : null };
  }

  async function membersOf(c: pg.Pool | pg.PoolClient, groupIds: string[]) {
    const out = new Map<string, { id: string; userName: string; displayName: string | null }[]>();
    if (groupIds.length === 0) return out;
    const res = await c.query<{ group_id: string; id: string; user_name: string; display_name: string | null }>(
      `SELECT m.group_id, u.id, u.user_name, u.display_name FROM scim_group_members m JOIN scim_users u ON u.id = m.user_id
        WHERE m.group_id = ANY($1::uuid[]) ORDER BY u.user_name_key`,
      [groupIds],
    );
    for (const r of res.rows) {
      const list = out.get(r.group_id) ?? [];
      list.push({ id: r.id, userName: r.user_name, displayName: r.display_name });
      out.set(r.group_id, list);
    }
    return out;
  }

  const toGroup = (r: GroupDbRow): Omit<ScimGroupRow, 'members'> => ({
    id: r.id,
    displayName: r.display_name,
    externalId: r.external_id,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    memberCount: r.member_count,
  });

  /** Replaces a group's members; refuses ids that are no provisioned user. Returns who was added and removed. */
  async function setMembers(
    c: pg.PoolClient,
    groupId: string,
    members: string[],
  ): Promise<{ ok: true; added: string[]; removed: string[] } | { ok: false; detail: string }> {
    const wanted = [...new Set(members)];
    const bad = wanted.find((m) => !isUuid(m));
    if (bad !== undefined) return { ok: false, detail: `member "${bad}" is not a provisioned user` };
    if (wanted.length > 0) {
      const known = new Set((await c.query<{ id: string }>(`SELECT id FROM scim_users WHERE id = ANY($1::uuid[])`, [wanted])).rows.map((r) => r.id));
      const missing = wanted.find((m) => !known.has(m.toLowerCase()));
      if (missing !== undefined) return { ok: false, detail: `member "${missing}" is not a provisioned user` };
    }
    const removed = (
      await c.query<{ user_id: string }>(`DELETE FROM scim_group_members WHERE group_id = $1 AND NOT (user_id = ANY($2::uuid[])) RETURNING user_id`, [
        groupId,
        wanted,
      ])
    ).rows.map((r) => r.user_id);
    const added = (
      await c.query<{ user_id: string }>(
        `INSERT INTO scim_group_members (group_id, user_id) SELECT $1, x FROM unnest($2::uuid[]) AS x ON CONFLICT DO NOTHING RETURNING user_id`,
        [groupId, wanted],
      )
    ).rows.map((r) => r.user_id);
    return { ok: true, added, removed };
  }

  return {
    // ---- tokens ----

    /** Stores a new token's hash; records who made it. */
    createToken: (label: string, tokenHash: string, createdBy: string) =>
      db(() =>
        inTransaction(pool, async (c) => {
          const res = await c.query<{ id: string; created_at: Date }>(
            `INSERT INTO scim_tokens (label, token_hash, created_by) VALUES ($1, $2, $3) RETURNING id, created_at`,
            [label, tokenHash, createdBy],
          );
          const row = res.rows[0]!;
          await recordChange(c, { label: createdBy, tokenId: null }, 'create', 'Token', row.id, { label });
          return { id: row.id, label, createdBy, createdAt: row.created_at, lastUsedAt: null, revokedAt: null } satisfies ScimTokenRecord;
        }),
      ),

    /** All tokens, newest first (never the hashes). */
    listTokens: () =>
      db(async () => {
        const res = await pool.query<{ id: string; label: string; created_by: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }>(
          `SELECT id, label, created_by, created_at, last_used_at, revoked_at FROM scim_tokens ORDER BY created_at DESC, id DESC`,
        );
        return res.rows.map((r): ScimTokenRecord => ({
          id: r.id,
          label: r.label,
          createdBy: r.created_by,
          createdAt: r.created_at,
          lastUsedAt: r.last_used_at,
          revokedAt: r.revoked_at,
        }));
      }),

    /** Revokes a token; false when there is no such unrevoked token. */
    revokeToken: (id: string, by: string) =>
      db(async () => {
        if (!isUuid(id)) return false;
        return inTransaction(pool, async (c) => {
          const res = await c.query<{ label: string }>(`UPDATE scim_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING label`, [id]);
          if (!res.rows[0]) return false;
          await recordChange(c, { label: by, tokenId: null }, 'revoke', 'Token', id, { label: res.rows[0].label });
          return true;
        });
      }),

    /** The unrevoked token with this hash (and notes its use, at most once a minute), or null. */
    findToken: (tokenHash: string) =>
      db(async () => {
        const res = await pool.query<{ id: string; label: string; last_used_at: Date | null }>(
          `SELECT id, label, last_used_at FROM scim_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
          [tokenHash],
        );
        const row = res.rows[0];
        if (!row) return null;
        if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
          await pool.query(`UPDATE scim_tokens SET last_used_at = now() WHERE id = $1`, [row.id]);
        }
        return { id: row.id, label: row.label };
      }),

    // ---- users ----

    /** One page of users (startIndex is 1-based) and how many match. */
    listUsers: (opts: { filter: ScimEqFilter | null; startIndex: number; count: number }) =>
      db(async () => {
        if (opts.filter?.attribute === 'id' && !isUuid(opts.filter.value)) return { total: 0, rows: [] as ScimUserRow[] };
        const where = opts.filter ? USER_FILTER_COLUMN[opts.filter.attribute] : 'TRUE';
        const params: unknown[] = opts.filter ? [opts.filter.value] : [];
        const total = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM scim_users u WHERE ${where}`, params)).rows[0]!.n;
        if (opts.count === 0) return { total, rows: [] as ScimUserRow[] };
        const res = await pool.query<UserDbRow>(
          `SELECT ${USER_COLUMNS} FROM scim_users u WHERE ${where} ORDER BY u.created_at, u.id OFFSET ${opts.startIndex - 1} LIMIT ${opts.count}`,
          params,
        );
        return { total, rows: res.rows.map(toUser) };
      }),

    getUser: (id: string) => db(() => userById(pool, id)),

    /** Creates a user; conflict when the userName (any case) exists. */
    createUser: (w: ScimUserWrite, actor: ScimActor) =>
      db(async (): Promise<ScimWriteResult<ScimUserRow>> => {
        try {
          return await inTransaction(pool, async (c) => {
            const res = await c.query<{ id: string }>(
              `INSERT INTO scim_users (user_name, user_name_key, email_key, external_id, display_name, active, data) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
              [w.userName, w.userName.toLowerCase(), lower(w.email), w.externalId, w.displayName, w.active, JSON.stringify(w.data)],
            );
            const id = res.rows[0]!.id;
            await recordChange(c, actor, 'create', 'User', id, { userName: w.userName, externalId: w.externalId, active: w.active });
            return { ok: true as const, row: (await userById(c, id))! };
          });
        } catch (err) {
          if (isUniqueViolation(err)) return { ok: false, reason: 'conflict', detail: `userName "${w.userName}" is already provisioned` };
          throw err;
        }
      }),

    /**
     * Rewrites a user from its current state (`change` gets the locked row and
     * returns the new write, or a refusal). Deactivation cuts the person off in
     * the same transaction. `version`: the If-Match the client sent, if any.
     */
    updateUser: (
      id: string,
      change: (current: ScimUserRow) => ScimUserWrite | { refuse: string },
      actor: ScimActor,
      opts: { action: 'replace' | 'patch'; version?: number | undefined },
    ) =>
      db(async (): Promise<ScimWriteResult<ScimUserRow> | { ok: false; reason: 'invalid'; detail: string }> => {
        try {
          return await inTransaction(pool, async (c) => {
            const current = await userById(c, id, true);
            if (!current) return { ok: false as const, reason: 'not-found' as const };
            if (opts.version !== undefined && opts.version !== current.version) return { ok: false as const, reason: 'version-mismatch' as const };
            const w = change(current);
            if ('refuse' in w) return { ok: false as const, reason: 'invalid' as const, detail: w.refuse };
            await c.query(
              `UPDATE scim_users SET user_name = $2, user_name_key = $3, email_key = $4, external_id = $5, display_name = $6, active = $7, data = $8,
                 version = version + 1, updated_at = now() WHERE id = $1`,
              [id, w.userName, w.userName.toLowerCase(), lower(w.email), w.externalId, w.displayName, w.active, JSON.stringify(w.data)],
            );
            const changed = (['userName', 'externalId', 'displayName', 'active', 'email'] as const).filter((k) => current[k] !== w[k]);
            await recordChange(c, actor, opts.action, 'User', id, {
              userName: w.userName,
              changed,
              ...(current.active !== w.active ? { active: w.active } : {}),
            });
            if (current.active && !w.active) {
              await cutOff(
                c,
                actor,
                { id, userName: w.userName },
                [current.userName.toLowerCase(), lower(current.email) ?? '', w.userName.toLowerCase(), lower(w.email) ?? ''],
                'deactivated',
              );
            }
            return { ok: true as const, row: (await userById(c, id))! };
          });
        } catch (err) {
          if (isUniqueViolation(err)) return { ok: false, reason: 'conflict', detail: 'that userName is already provisioned' };
          throw err;
        }
      }),

    /** Deletes a user (and their memberships) and cuts them off; false when unknown. */
    deleteUser: (id: string, actor: ScimActor, version?: number) =>
      db(async (): Promise<ScimWriteResult<null>> => {
        return inTransaction(pool, async (c) => {
          const current = await userById(c, id, true);
          if (!current) return { ok: false as const, reason: 'not-found' as const };
          if (version !== undefined && version !== current.version) return { ok: false as const, reason: 'version-mismatch' as const };
          await c.query(`DELETE FROM scim_users WHERE id = $1`, [id]);
          await recordChange(c, actor, 'delete', 'User', id, { userName: current.userName, groups: current.groups.map((g) => g.displayName) });
          await cutOff(c, actor, current, [current.userName.toLowerCase(), lower(current.email) ?? ''], 'deleted');
          return { ok: true as const, row: null };
        });
      }),

    // ---- groups ----

    listGroups: (opts: { filter: ScimEqFilter | null; startIndex: number; count: number; withMembers: boolean }) =>
      db(async () => {
        if (opts.filter?.attribute === 'id' && !isUuid(opts.filter.value)) return { total: 0, rows: [] as ScimGroupRow[] };
        const where = opts.filter ? GROUP_FILTER_COLUMN[opts.filter.attribute] : 'TRUE';
        const params: unknown[] = opts.filter ? [opts.filter.value] : [];
        const total = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM scim_groups g WHERE ${where}`, params)).rows[0]!.n;
        if (opts.count === 0) return { total, rows: [] as ScimGroupRow[] };
        const res = await pool.query<GroupDbRow>(
          `SELECT g.*, (SELECT count(*)::int FROM scim_group_members m WHERE m.group_id = g.id) AS member_count
             FROM scim_groups g WHERE ${where} ORDER BY g.created_at, g.id OFFSET ${opts.startIndex - 1} LIMIT ${opts.count}`,
          params,
        );
        const members = opts.withMembers
          ? await membersOf(
              pool,
              res.rows.map((r) => r.id),
            )
          : null;
        return { total, rows: res.rows.map((r): ScimGroupRow => ({ ...toGroup(r), members: members ? (members.get(r.id) ?? []) : null })) };
      }),

    getGroup: (id: string, withMembers = true) => db(() => groupById(pool, id, withMembers)),

    createGroup: (w: ScimGroupWrite, actor: ScimActor) =>
      db(async (): Promise<ScimWriteResult<ScimGroupRow>> => {
        try {
          return await inTransaction(pool, async (c) => {
            const res = await c.query<{ id: string }>(
              `INSERT INTO scim_groups (display_name, display_name_key, external_id) VALUES ($1, $2, $3) RETURNING id`,
              [w.displayName, w.displayName.toLowerCase(), w.externalId],
            );
            const id = res.rows[0]!.id;
            const m = await setMembers(c, id, w.members);
            if (!m.ok) throw new MemberRefused(m.detail);
            await recordChange(c, actor, 'create', 'Group', id, { displayName: w.displayName, externalId: w.externalId, added: m.added });
            return { ok: true as const, row: (await groupById(c, id, true))! };
          });
        } catch (err) {
          if (err instanceof MemberRefused) return { ok: false, reason: 'unknown-member', detail: err.message };
          if (isUniqueViolation(err)) return { ok: false, reason: 'conflict', detail: `group "${w.displayName}" is already provisioned` };
          throw err;
        }
      }),

    /** Rewrites a group (name, external id, members) from its current state, like updateUser. */
    updateGroup: (
      id: string,
      change: (current: ScimGroupRow & { members: NonNullable<ScimGroupRow['members']> }) => ScimGroupWrite | { refuse: string },
      actor: ScimActor,
      opts: { action: 'replace' | 'patch'; version?: number | undefined; withMembers: boolean },
    ) =>
      db(async (): Promise<ScimWriteResult<ScimGroupRow> | { ok: false; reason: 'invalid'; detail: string }> => {
        try {
          return await inTransaction(pool, async (c) => {
            const current = await groupById(c, id, true, true);
            if (!current) return { ok: false as const, reason: 'not-found' as const };
            if (opts.version !== undefined && opts.version !== current.version) return { ok: false as const, reason: 'version-mismatch' as const };
            const w = change(current as ScimGroupRow & { members: NonNullable<ScimGroupRow['members']> });
            if ('refuse' in w) return { ok: false as const, reason: 'invalid' as const, detail: w.refuse };
            await c.query(
              `UPDATE scim_groups SET display_name = $2, display_name_key = $3, external_id = $4, version = version + 1, updated_at = now() WHERE id = $1`,
              [id, w.displayName, w.displayName.toLowerCase(), w.externalId],
            );
            const m = await setMembers(c, id, w.members);
            if (!m.ok) throw new MemberRefused(m.detail);
            await recordChange(c, actor, opts.action, 'Group', id, {
              displayName: w.displayName,
              ...(current.displayName !== w.displayName ? { renamedFrom: current.displayName } : {}),
              added: m.added,
              removed: m.removed,
            });
            return { ok: true as const, row: (await groupById(c, id, opts.withMembers))! };
          });
        } catch (err) {
          if (err instanceof MemberRefused) return { ok: false, reason: 'unknown-member', detail: err.message };
          if (isUniqueViolation(err)) return { ok: false, reason: 'conflict', detail: 'that group displayName is already provisioned' };
          throw err;
        }
      }),

    deleteGroup: (id: string, actor: ScimActor, version?: number) =>
      db(async (): Promise<ScimWriteResult<null>> =>
        inTransaction(pool, async (c) => {
          const current = await groupById(c, id, false, true);
          if (!current) return { ok: false as const, reason: 'not-found' as const };
          if (version !== undefined && version !== current.version) return { ok: false as const, reason: 'version-mismatch' as const };
          await c.query(`DELETE FROM scim_groups WHERE id = $1`, [id]);
          await recordChange(c, actor, 'delete', 'Group', id, { displayName: current.displayName, members: current.memberCount });
          return { ok: true as const, row: null };
        }),
      ),

    // ---- entitlements ----

    /**
     * The SCIM groups of the person signed in as `email`: those of every
     * active SCIM user whose userName or email is that address (case-insensitive).
     * `provisioned` is false until the IdP made its first change.
     */
    membershipOf: (email: string) =>
      db(async (): Promise<ScimMembership> => {
        // Once the IdP has made a change it stays made (scim_changes is append-only): ask until then only.
        if (!provisioned) {
          provisioned = (await pool.query<{ p: boolean }>(`SELECT EXISTS (SELECT 1 FROM scim_changes WHERE resource_type IN ('User', 'Group')) AS p`)).rows[0]!
            .p;
          if (!provisioned) return { provisioned: false, groups: [] };
        }
        // Named (prepared once per connection): planning cost more than running it.
        const res = await pool.query<{ groups: { displayName: string; externalId: string | null }[] | null }>({
          name: 'scim-membership-of',
          text: `SELECT json_agg(DISTINCT jsonb_build_object('displayName', g.display_name, 'externalId', g.external_id)) AS groups
                   FROM scim_users u JOIN scim_group_members m ON m.user_id = u.id JOIN scim_groups g ON g.id = m.group_id
                  WHERE u.active AND (u.user_name_key = lower($1) OR u.email_key = lower($1))`,
          values: [email],
        });
        return { provisioned: true, groups: res.rows[0]?.groups ?? [] };
      }),

    // ---- status, change log, errors ----

    status: () =>
      db(async () => {
        const res = await pool.query<{ users: number; active_users: number; groups: number; memberships: number; tokens: number; last_change_at: Date | null }>(
          `SELECT (SELECT count(*)::int FROM scim_users) AS users,
                  (SELECT count(*)::int FROM scim_users WHERE active) AS active_users,
                  (SELECT count(*)::int FROM scim_groups) AS groups,
                  (SELECT count(*)::int FROM scim_group_members) AS memberships,
                  (SELECT count(*)::int FROM scim_tokens WHERE revoked_at IS NULL) AS tokens,
                  (SELECT max(created_at) FROM scim_changes WHERE resource_type IN ('User', 'Group')) AS last_change_at`,
        );
        const r = res.rows[0]!;
        const errors = await pool.query<{ created_at: Date; method: string; path: string; status: number; scim_type: string | null; detail: string }>(
          `SELECT created_at, method, path, status, scim_type, detail FROM scim_errors ORDER BY created_at DESC LIMIT 20`,
        );
        return {
          users: r.users,
          activeUsers: r.active_users,
          groups: r.groups,
          memberships: r.memberships,
          activeTokens: r.tokens,
          lastChangeAt: r.last_change_at,
          recentErrors: errors.rows.map((e) => ({
            at: e.created_at,
            method: e.method,
            path: e.path,
            status: e.status,
            scimType: e.scim_type,
            detail: e.detail,
          })),
        };
      }),

    /** The change log, newest first (`before`: a createdAt to page from). */
    listChanges: (opts: { limit: number; before?: Date | undefined }) =>
      db(async () => {
        const res = await pool.query<{
          id: string;
          created_at: Date;
          actor: string;
          token_id: string | null;
          action: string;
          resource_type: string;
          resource_id: string;
          detail: Record<string, unknown> | null;
        }>(
          `SELECT * FROM scim_changes ${opts.before ? 'WHERE created_at < $2' : ''} ORDER BY created_at DESC, id DESC LIMIT $1`,
          opts.before ? [opts.limit, opts.before] : [opts.limit],
        );
        return res.rows.map((r): ScimChangeRecord => ({
          id: r.id,
          createdAt: r.created_at,
          actor: r.actor,
          tokenId: r.token_id,
          action: r.action,
          resourceType: r.resource_type,
          resourceId: r.resource_id,
          detail: r.detail,
        }));
      }),

    /** Notes a refused SCIM request (and forgets those older than a week). */
    recordError: (e: { method: string; path: string; status: number; scimType: string | null; detail: string }) =>
      db(async () => {
        await pool.query(`INSERT INTO scim_errors (method, path, status, scim_type, detail) VALUES ($1, $2, $3, $4, $5)`, [
          e.method,
          e.path.slice(0, 300),
          e.status,
          e.scimType,
          e.detail.slice(0, 500),
        ]);
        await pool.query(`DELETE FROM scim_errors WHERE created_at < now() - interval '7 days'`);
      }),
  };
}

class MemberRefused extends Error {}

export type ScimRepository = ReturnType<typeof createScimRepository>;
