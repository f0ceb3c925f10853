import { partitionOfRegion, type Partition } from '@rolegate/aws-names';
import { AppError } from './errors.js';

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

/** Regional STS used for a partition when AWS_REGION lies in another one. */
const DEFAULT_STS_REGION: Record<Partition, string> = { aws: 'us-east-1', 'aws-us-gov': 'us-gov-west-1', 'aws-cn': 'cn-north-1' };

/**
 * The region whose STS endpoint serves roles of `partition`: the configured
 * region when it lies in that partition, else the partition's default. A
 * GovCloud or China role sent to the commercial STS endpoint is refused by
 * AWS (the credentials and the role live in different partitions).
 */
export function stsRegionFor(partition: Partition, configuredRegion: string): string {
  return partitionOfRegion(configuredRegion) === partition ? configuredRegion : DEFAULT_STS_REGION[partition];
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
