import { describe, expect, it } from 'vitest';
import type { Entitlement } from '@rolegate/contract';
import { consoleDestination, consoleLink, matchesSearch } from './entitlements';

const dev = {
  id: 'm1',
  accountId: '111111111111',
  accountName: 'sandbox',
  roleName: 'Developer',
  roleArn: 'arn:aws:iam::111111111111:role/Developer',
  description: 'Day-to-day work',
} as Entitlement;

describe('console links', () => {
  it('opens the console of the region the person chose, in the role’s partition only', () => {
    expect(consoleDestination(dev.roleArn, 'eu-west-1')).toBe('https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1');
    expect(consoleDestination(dev.roleArn, 'us-gov-west-1')).toBeUndefined();
    expect(consoleDestination('arn:aws-us-gov:iam::111111111111:role/Ops', 'us-gov-west-1')).toBe(
      'https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1',
    );
    expect(consoleDestination('arn:aws-cn:iam::111111111111:role/Ops', 'eu-west-1')).toBeUndefined();
    expect(consoleDestination(dev.roleArn, null)).toBeUndefined();
  });

  it('builds the same-origin deep link with the duration and destination', () => {
    expect(consoleLink(dev, { duration: 3600, region: 'eu-west-1' })).toBe(
      `/console/111111111111/Developer?duration=3600&destination=${encodeURIComponent('https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1')}`,
    );
    expect(consoleLink(dev, {})).toBe('/console/111111111111/Developer');
  });
});

describe('role search', () => {
  it('needs every word, in any field, any case', () => {
    expect(matchesSearch(dev, 'SANDBOX dev')).toBe(true);
    expect(matchesSearch(dev, 'sandbox admin')).toBe(false);
    expect(matchesSearch(dev, '   ')).toBe(true);
  });
});
