import { describe, expect, it } from 'vitest';
import type { Partition } from '@rolegate/aws-names';
import { endpointsFor, resolveDestination } from './partitions.js';

describe('endpointsFor', () => {
  it.each([
    ['aws', 'https://signin.aws.amazon.com/federation', 'console.aws.amazon.com', 'https://console.aws.amazon.com/'],
    ['aws-us-gov', 'https://signin.amazonaws-us-gov.com/federation', 'console.amazonaws-us-gov.com', 'https://console.amazonaws-us-gov.com/'],
    ['aws-cn', 'https://signin.amazonaws.cn/federation', 'console.amazonaws.cn', 'https://console.amazonaws.cn/'],
  ] as const)('%s', (partition, federationUrl, consoleHost, consoleHome) => {
    expect(endpointsFor(partition)).toEqual({ federationUrl, consoleHost, consoleHome });
  });
});

describe('resolveDestination', () => {
  it.each([
    ['aws', 'https://console.aws.amazon.com/'],
    ['aws-us-gov', 'https://console.amazonaws-us-gov.com/'],
    ['aws-cn', 'https://console.amazonaws.cn/'],
  ] as const)('defaults to the %s console home', (partition, home) => {
    expect(resolveDestination(undefined, partition)).toBe(home);
    expect(resolveDestination('', partition)).toBe(home);
  });

  it('accepts an https URL on the console host', () => {
    expect(resolveDestination('https://console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:', 'aws')).toBe(
      'https://console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:',
    );
  });

  it('accepts a regional subdomain of the console host', () => {
    expect(resolveDestination('https://us-east-1.console.aws.amazon.com/s3/home', 'aws')).toBe('https://us-east-1.console.aws.amazon.com/s3/home');
    expect(resolveDestination('https://us-gov-west-1.console.amazonaws-us-gov.com/', 'aws-us-gov')).toBe('https://us-gov-west-1.console.amazonaws-us-gov.com/');
    expect(resolveDestination('https://cn-north-1.console.amazonaws.cn/', 'aws-cn')).toBe('https://cn-north-1.console.amazonaws.cn/');
  });

  it.each([
    ['http', 'http://console.aws.amazon.com/'],
    ['another host', 'https://evil.com/'],
    ['console host as a prefix', 'https://console.aws.amazon.com.evil.com/'],
    ['look-alike without a dot', 'https://evil-console.aws.amazon.com/'],
    ['look-alike glued on', 'https://evilconsole.aws.amazon.com/'],
    ['parent domain', 'https://aws.amazon.com/'],
    ['sign-in host', 'https://signin.aws.amazon.com/federation'],
    ['userinfo', 'https://console.aws.amazon.com@evil.com/'],
    ['userinfo on the right host', 'https://user:pass@console.aws.amazon.com/'],
    ['explicit port', 'https://console.aws.amazon.com:8443/'],
    ['javascript URL', 'javascript:alert(1)'],
    ['data URL', 'data:text/html,<script>alert(1)</script>'],
    ['protocol-relative', '//console.aws.amazon.com/'],
    ['relative path', '/ec2/home'],
    ['not a URL', 'not a url'],
    ['GovCloud host for an aws role', 'https://console.amazonaws-us-gov.com/'],
    ['China host for an aws role', 'https://console.amazonaws.cn/'],
  ])('rejects %s', (_label, destination) => {
    expect(() => resolveDestination(destination, 'aws')).toThrow(expect.objectContaining({ name: 'AppError', code: 'INVALID_DESTINATION' }));
  });

  it.each([
    ['aws-us-gov', 'https://console.aws.amazon.com/'],
    ['aws-cn', 'https://console.aws.amazon.com/'],
    ['aws-cn', 'https://console.amazonaws-us-gov.com/'],
  ] as const)('rejects a foreign console for %s', (partition: Partition, destination) => {
    expect(() => resolveDestination(destination, partition)).toThrow(expect.objectContaining({ code: 'INVALID_DESTINATION' }));
  });

  it('returns the normalised URL, so backslash tricks cannot change the host', () => {
    const out = resolveDestination('https://console.aws.amazon.com\\@evil.com', 'aws');
    expect(new URL(out).hostname).toBe('console.aws.amazon.com');
  });
});
