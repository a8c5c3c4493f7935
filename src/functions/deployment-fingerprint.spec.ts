import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DeployedFunction } from '../providers/deployment';
import { configurationHash, DesiredConfiguration, planDeployment, RecordedDeployment } from './deployment-fingerprint';

const key = randomBytes(32);
const config: DesiredConfiguration = { runtime: 'python3.12', handler: 'index.handler', memoryMb: 256, timeoutSeconds: 30, executionRoleArn: 'arn:aws:iam::222222222222:role/exec', environment: { MODE: 'fast', TOKEN: 'hunter2' } };
const sha = 'a'.repeat(64);

const live = (over: Partial<DeployedFunction> = {}): DeployedFunction => ({
  name: 'score',
  state: 'active',
  runtime: 'python3.12',
  handler: 'index.handler',
  memoryMb: 256,
  timeoutSeconds: 30,
  cloudCodeHash: 'code-1',
  lastModified: '2026-01-01T00:00:00.000+0000',
  environmentKeys: ['TOKEN', 'MODE'],
  ...over,
});

const recordedFor = (c: DesiredConfiguration): RecordedDeployment => ({ packageSha256: sha, configurationHash: configurationHash(c, key), cloudCodeHash: 'code-1', cloudLastModified: '2026-01-01T00:00:00.000+0000' });
const desiredOf = (c: DesiredConfiguration, packageSha256: string | undefined = sha) => ({ packageSha256, configurationHash: configurationHash(c, key), config: c });

describe('configurationHash', () => {
  it('ignores the order of environment variables', () => {
    expect(configurationHash({ ...config, environment: { TOKEN: 'hunter2', MODE: 'fast' } }, key)).toBe(configurationHash(config, key));
  });

  it('changes with every setting and every environment value', () => {
    const base = configurationHash(config, key);
    for (const changed of [
      { ...config, runtime: 'python3.13' },
      { ...config, handler: 'main.handler' },
      { ...config, memoryMb: 512 },
      { ...config, timeoutSeconds: 31 },
      { ...config, description: 'scores' },
      { ...config, executionRoleArn: 'arn:aws:iam::222222222222:role/other' },
      { ...config, environment: { MODE: 'fast', TOKEN: 'hunter3' } },
      { ...config, environment: { MODE: 'fast' } },
      { ...config, environment: { MODE: 'fast', TOKEN2: 'hunter2' } },
    ]) {
      expect(configurationHash(changed, key)).not.toBe(base);
    }
  });

  it('depends on the HMAC key, so a stored hash says nothing about a value without it', () => {
    expect(configurationHash(config, randomBytes(32))).not.toBe(configurationHash(config, key));
  });
});

describe('planDeployment', () => {
  it('creates a function the cloud does not have', () => {
    expect(planDeployment(recordedFor(config), desiredOf(config), undefined)).toEqual({ action: 'create' });
  });

  it('changes nothing when record, request and cloud agree', () => {
    expect(planDeployment(recordedFor(config), desiredOf(config), live())).toEqual({ action: 'unchanged' });
  });

  it('rewrites code and configuration of a function Tether has no record of', () => {
    expect(planDeployment(undefined, desiredOf(config), live())).toEqual({ action: 'update', update: { code: true, configuration: true } });
  });

  it('updates only the code for a new package', () => {
    expect(planDeployment(recordedFor(config), desiredOf(config, 'b'.repeat(64)), live())).toEqual({ action: 'update', update: { code: true, configuration: false } });
  });

  it('updates the code when the package has no Tether checksum', () => {
    expect(planDeployment(recordedFor(config), { ...desiredOf(config), packageSha256: undefined }, live())).toEqual({ action: 'update', update: { code: true, configuration: false } });
  });

  it('updates only the configuration for a new environment value', () => {
    const next = { ...config, environment: { MODE: 'fast', TOKEN: 'rotated' } };
    expect(planDeployment(recordedFor(config), desiredOf(next), live())).toEqual({ action: 'update', update: { code: false, configuration: true } });
  });

  it('rewrites code changed behind Tether\'s back', () => {
    expect(planDeployment(recordedFor(config), desiredOf(config), live({ cloudCodeHash: 'code-2', lastModified: '2026-02-01T00:00:00.000+0000' }))).toEqual({ action: 'update', update: { code: true, configuration: false } });
  });

  it('rewrites configuration changed behind Tether\'s back', () => {
    expect(planDeployment(recordedFor(config), desiredOf(config), live({ lastModified: '2026-02-01T00:00:00.000+0000' }))).toEqual({ action: 'update', update: { code: false, configuration: true } });
    expect(planDeployment(recordedFor(config), desiredOf(config), live({ memoryMb: 1024 }))).toEqual({ action: 'update', update: { code: false, configuration: true } });
    expect(planDeployment(recordedFor(config), desiredOf(config), live({ environmentKeys: ['MODE'] }))).toEqual({ action: 'update', update: { code: false, configuration: true } });
  });
});
