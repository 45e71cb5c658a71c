/**
 * What a first deploy would have hit (docs/operating.md, "Deploying to a dev account" and "LocalStack"): the account-wide
 * API Gateway setting kept by every stage, secrets that start as a placeholder the functions recognise, and the
 * LocalStack variant's outputs and resource types.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SECRET_PLACEHOLDER } from '../../lambdas/shared/adapters/secrets/secret-not-set.ts';
import { removeAssemblies, resourcesOf, synthesize } from './synth.ts';

afterAll(removeAssemblies);

describe('a first deploy', () => {
  const dev = synthesize();
  const localStack = synthesize({ target: 'localstack' });

  it("keeps API Gateway's account-wide logging role and setting when a dev stage is destroyed", () => {
    const [[, account] = ['', undefined]] = resourcesOf(dev.json, 'AWS::ApiGateway::Account');
    expect(account?.DeletionPolicy).toBe('Retain');
    const roleId = account?.Properties?.CloudWatchRoleArn?.['Fn::GetAtt']?.[0] as string;
    expect(dev.json.Resources[roleId]?.DeletionPolicy).toBe('Retain');
  });

  it('creates the secrets an operator sets with a JSON placeholder, and generates the subscriber-id key', () => {
    const secrets = resourcesOf(dev.json, 'AWS::SecretsManager::Secret').map(
      ([, secret]) => secret.Properties,
    );
    const placeholders = secrets.filter((secret) => secret?.SecretString !== undefined);
    expect(placeholders).toHaveLength(2);
    for (const secret of placeholders) expect(JSON.parse(secret?.SecretString)).toEqual(SECRET_PLACEHOLDER);
    expect(secrets.filter((secret) => secret?.GenerateSecretString)).toHaveLength(1);
  });

  it("outputs the secrets' ARNs on LocalStack too, whose secret names CDK's name outputs get wrong", () => {
    for (const output of ['GoogleClientSecretArn', 'SubscriberIdKeySecretArn', 'HostKeysSecretArn']) {
      const value = localStack.json.Outputs?.[output]?.Value as { Ref?: string } | undefined;
      expect(localStack.json.Resources[value?.Ref as string]?.Type, output).toBe(
        'AWS::SecretsManager::Secret',
      );
    }
  });

  it("leaves the host's listed server addresses out of both per-IP WAF rules", () => {
    const listed = synthesize({ hostIpAllowList: '203.0.113.7/32, 2001:db8::/64' });
    const sets = resourcesOf(listed.json, 'AWS::WAFv2::IPSet').map(([id, set]) => [id, set.Properties]);
    expect(sets.map(([, set]) => set)).toEqual([
      expect.objectContaining({ IPAddressVersion: 'IPV4', Addresses: ['203.0.113.7/32'] }),
      expect.objectContaining({ IPAddressVersion: 'IPV6', Addresses: ['2001:db8::/64'] }),
    ]);
    const [[, acl] = ['', undefined]] = resourcesOf(listed.json, 'AWS::WAFv2::WebACL');
    const rules = acl?.Properties?.Rules as {
      Statement: { RateBasedStatement: { ScopeDownStatement: unknown } };
    }[];
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      const scope = JSON.stringify(rule.Statement.RateBasedStatement.ScopeDownStatement);
      expect(scope).toContain('"NotStatement":{"Statement":{"OrStatement"');
      for (const [id] of sets) expect(scope).toContain(id as string);
    }
    // Without a list, no IP set.
    expect(resourcesOf(dev.json, 'AWS::WAFv2::IPSet')).toHaveLength(0);
  });

  it('refuses an allow-list entry that is not a CIDR', () => {
    expect(() => synthesize({ hostIpAllowList: '203.0.113.7' })).toThrow(/hostIpAllowList.*CIDR/s);
  });

  it('leaves the dashboard out on LocalStack only', () => {
    expect(resourcesOf(localStack.json, 'AWS::CloudWatch::Dashboard')).toHaveLength(0);
    expect(resourcesOf(dev.json, 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
  });
});
