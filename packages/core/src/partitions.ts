import { AppError } from './errors.js';

export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn';

export interface PartitionEndpoints {
  federationUrl: string;
  consoleHost: string;
  consoleHome: string;
}

const ENDPOINTS: Record<Partition, PartitionEndpoints> = {
  aws: {
    federationUrl: 'https://signin.aws.amazon.com/federation',
    consoleHost: 'console.aws.amazon.com',
    consoleHome: 'https://console.aws.amazon.com/',
  },
  'aws-us-gov': {
    federationUrl: 'https://signin.amazonaws-us-gov.com/federation',
    consoleHost: 'console.amazonaws-us-gov.com',
    consoleHome: 'https://console.amazonaws-us-gov.com/',
  },
  'aws-cn': {
    federationUrl: 'https://signin.amazonaws.cn/federation',
    consoleHost: 'console.amazonaws.cn',
    consoleHome: 'https://console.amazonaws.cn/',
  },
};

export interface ParsedRoleArn {
  partition: Partition;
  accountId: string;
  /** Path including leading and trailing "/", e.g. "/" or "/team/". */
  path: string;
  roleName: string;
}

const ROLE_ARN = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role(\/(?:[\x21-\x7e]{1,510}\/)?)([\w+=,.@-]{1,64})$/;

/** Parses an IAM role ARN; returns null when it is not one. */
export function parseRoleArn(arn: string): ParsedRoleArn | null {
  const m = ROLE_ARN.exec(arn);
  if (!m) return null;
  const [, partition, accountId, path, roleName] = m;
  if (!partition || !accountId || !path || !roleName) return null;
  return { partition: partition as Partition, accountId, path, roleName };
}

/** Federation and console endpoints of a partition. */
export function endpointsFor(partition: Partition): PartitionEndpoints {
  return ENDPOINTS[partition];
}

/**
 * The console page a sign-in URL may send the user to. Only https URLs on the
 * partition's console host (or one of its regional subdomains) are allowed, so
 * a crafted link cannot turn our sign-in into a redirect to another site.
 * @throws AppError INVALID_DESTINATION
 */
export function resolveDestination(destination: string | undefined, partition: Partition): string {
  const { consoleHost, consoleHome } = ENDPOINTS[partition];
  if (destination === undefined || destination === '') return consoleHome;
  let url: URL;
  try {
    url = new URL(destination);
  } catch {
    throw new AppError('INVALID_DESTINATION', 'destination must be an absolute console URL');
  }
  const hostOk = url.hostname === consoleHost || url.hostname.endsWith(`.${consoleHost}`);
  if (url.protocol !== 'https:' || !hostOk || url.username !== '' || url.password !== '' || url.port !== '') {
    throw new AppError('INVALID_DESTINATION', `destination must be an https URL on ${consoleHost}`);
  }
  return url.toString();
}
