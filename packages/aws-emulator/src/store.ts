import type { SessionTag } from './assume-role-params.js';
import { newOpaqueToken } from './ids.js';

/** Credentials this emulator issued through AssumeRole. */
export interface IssuedSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** arn:…:sts::ACCOUNT:assumed-role/NAME/SESSION */
  arn: string;
  roleArn: string;
  roleName: string;
  account: string;
  sessionName: string;
  assumedRoleId: string;
  /** When AssumeRole issued it (aws:TokenIssueTime). */
  issuedAt: Date;
  expiresAt: Date;
  durationSeconds: number;
  sourceIdentity?: string;
  tags: SessionTag[];
  /** The AssumeRole caller was itself an assumed role (role chaining). */
  chained: boolean;
}

/** A sign-in token from getSigninToken; single use, valid 15 minutes. */
export interface SigninTokenRecord {
  session: IssuedSession;
  expiresAt: Date;
  consoleExpiresAt: Date;
  sessionDuration?: number;
}

/** A console session created by a successful login. */
export interface ConsoleSession {
  session: IssuedSession;
  destination: string;
  issuer?: string;
  expiresAt: Date;
}

/** Sign-in tokens live this long after issue, as at AWS. */
export const SIGNIN_TOKEN_TTL_MS = 15 * 60 * 1000;

/** In-memory state: issued credentials, sign-in tokens and console sessions. */
export class SessionStore {
  private readonly sessions = new Map<string, IssuedSession>();
  private readonly signinTokens = new Map<string, SigninTokenRecord>();
  private readonly consoleSessions = new Map<string, ConsoleSession>();

  /** Remembers issued credentials by access key id. */
  addSession(session: IssuedSession): void {
    this.sessions.set(session.accessKeyId, session);
  }

  /** Issued credentials by access key id (expired ones included; callers check expiry). */
  findSession(accessKeyId: string): IssuedSession | undefined {
    return this.sessions.get(accessKeyId);
  }

  /** Stores a new sign-in token and returns it. */
  issueSigninToken(record: SigninTokenRecord): string {
    const token = newOpaqueToken(192);
    this.signinTokens.set(token, record);
    return token;
  }

  /** Removes and returns a sign-in token if it exists and has not expired (single use either way). */
  consumeSigninToken(token: string, now: Date): SigninTokenRecord | undefined {
    const record = this.signinTokens.get(token);
    if (!record) return undefined;
    this.signinTokens.delete(token);
    return now.getTime() < record.expiresAt.getTime() ? record : undefined;
  }

  /** Stores a console session and returns its opaque id. */
  openConsole(session: ConsoleSession): string {
    const id = newOpaqueToken(32);
    this.consoleSessions.set(id, session);
    return id;
  }

  /** A console session by id, if still valid. */
  findConsole(id: string, now: Date): ConsoleSession | undefined {
    const s = this.consoleSessions.get(id);
    return s && now.getTime() < s.expiresAt.getTime() ? s : undefined;
  }
}
