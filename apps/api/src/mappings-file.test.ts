import { describe, expect, it } from 'vitest';
import { parseMappingsYaml, toDeclared } from './mappings-file.js';

const ok = `
accounts:
  - { id: "111111111111", name: sandbox }
mappings:
  - group: engineers
    roleArn: arn:aws:iam::111111111111:role/team/Developer
    maxDurationSeconds: 7200
`;

describe('parseMappingsYaml', () => {
  it('parses accounts and mappings with defaults, taking the account id from the ARN', () => {
    const doc = toDeclared(parseMappingsYaml(ok));
    expect(doc.mappings).toEqual([
      {
        group: 'engineers',
        roleArn: 'arn:aws:iam::111111111111:role/team/Developer',
        accountId: '111111111111',
        maxDurationSeconds: 7200,
        requireReason: false,
        description: '',
        enabled: true,
      },
    ]);
  });

  it.each([
    ['malformed YAML', 'accounts: [', /not valid YAML/],
    ['a bad ARN', ok.replace('role/team/Developer', 'user/Developer'), /roleArn: is not an IAM role ARN/],
    ['a short account id', ok.replace('"111111111111"', '"1111"'), /accounts\.0\.id/],
    ['a duration above 12 h', ok.replace('7200', '43201'), /maxDurationSeconds/],
    ['a duration below 15 min', ok.replace('7200', '899'), /maxDurationSeconds/],
    ['an unlisted account', ok.replace('"111111111111", name', '"222222222222", name'), /account 111111111111 is not listed/],
    ['an unknown field', `${ok}    roleArns: x\n`, /mappings\.0/],
    ['a duplicate mapping', `${ok}  - group: engineers\n    roleArn: arn:aws:iam::111111111111:role/team/Developer\n`, /duplicate/],
  ])('rejects %s with a message naming the problem', (_label, text, message) => {
    expect(() => parseMappingsYaml(text, 'mappings.yaml')).toThrow(message);
  });
});
