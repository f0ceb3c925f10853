import type { AwsCredentials } from '@rolegate/contract';

const SHELL_SAFE = /^[A-Za-z0-9+/=._-]*$/;

/** Single-quotes a value for POSIX shells unless it is plainly safe. */
function shellValue(value: string): string {
  return SHELL_SAFE.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `export AWS_…=…` lines to paste into a terminal. */
export function shellExports(c: AwsCredentials): string {
  return [
    `export AWS_ACCESS_KEY_ID=${shellValue(c.accessKeyId)}`,
    `export AWS_SECRET_ACCESS_KEY=${shellValue(c.secretAccessKey)}`,
    `export AWS_SESSION_TOKEN=${shellValue(c.sessionToken)}`,
  ].join('\n');
}

/** The JSON an AWS SDK expects from a `credential_process` command. */
export function credentialProcessJson(c: AwsCredentials): string {
  return JSON.stringify(
    {
      Version: 1,
      AccessKeyId: c.accessKeyId,
      SecretAccessKey: c.secretAccessKey,
      SessionToken: c.sessionToken,
      Expiration: c.expiration,
    },
    null,
    2,
  );
}
