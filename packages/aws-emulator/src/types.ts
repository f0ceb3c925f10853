/** A role the emulator lets callers assume. */
export interface EmulatorRole {
  arn: string;
  /** Seconds, default 3600, allowed 3600..43200. */
  maxSessionDuration?: number;
  /** Caller ARNs allowed to assume it; "*" = any configured caller. An assumed-role session is also trusted when its role's ARN is listed. */
  trustedPrincipals: string[];
  /** When set, AssumeRole must pass exactly this ExternalId. */
  externalId?: string;
}

/** Long-lived credentials the emulator accepts (an IAM user, or a role session for a role-chained broker). */
export interface EmulatorCaller {
  accessKeyId: string;
  secretAccessKey: string;
  /** e.g. arn:aws:iam::111111111111:user/rolegate-broker or arn:aws:sts::111111111111:assumed-role/BrokerRole/x */
  arn: string;
  /** Session token the caller must send (only for configured temporary credentials). */
  sessionToken?: string;
}

export interface EmulatorOptions {
  host?: string;
  port?: number;
  region?: string;
  callers: EmulatorCaller[];
  roles: EmulatorRole[];
  now?: () => Date;
}

export interface EmulatorRequest {
  at: string;
  service: 'sts' | 'federation' | 'console';
  action: string;
  status: number;
  errorCode?: string;
  /** Request parameters with secrets replaced by "[redacted]". */
  params: Record<string, string>;
  callerArn?: string;
  /** The RequestId / x-amzn-RequestId of the answer. */
  requestId: string;
}

export type EmulatorFault = { kind: 'delay'; ms: number } | { kind: 'http5xx'; status?: number } | { kind: 'throttle' } | { kind: 'reset' };

export type FaultAction = 'AssumeRole' | 'GetCallerIdentity' | 'getSigninToken';

export interface AwsEmulator {
  /** http://HOST:PORT */
  url: string;
  /** Endpoint for the SDK (STS is served at "/"). */
  stsUrl: string;
  /** url + "/federation" */
  federationUrl: string;
  /** Request log, in order. */
  requests: EmulatorRequest[];
  countCalls(action: string): number;
  clearLog(): void;
  addRole(role: EmulatorRole): void;
  setFault(action: FaultAction, fault: EmulatorFault | null): void;
  close(): Promise<void>;
}
