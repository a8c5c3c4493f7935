import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../test/emulators';
import { loadConfig } from '../config/load-config';
import { CoreModule } from '../core.module';
import { PlatformIdentity } from './platform-identity';
import { ProviderRegistry, UnknownProviderError } from './provider-registry';
import { ProvidersModule } from './providers.module';
import { captureLogger, keysOf } from './testing/cloud-fixtures';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

describe('ProviderRegistry', () => {
  it('hands out one provider per cloud, wired to the configured endpoints, and refuses unknown clouds', async () => {
    const seed = emu.admin.seedPlatform();
    const config = loadConfig({ AWS_ENDPOINT_URL: emu.url, TETHER_ALIYUN_ENDPOINT_URL: emu.url, TETHER_TENCENT_ENDPOINT_URL: emu.url });
    const { logger, lines } = captureLogger();
    const module = await Test.createTestingModule({ imports: [CoreModule.forRoot(config, logger), ProvidersModule] }).compile();
    const registry = module.get(ProviderRegistry);
    expect(module.get(PlatformIdentity)).toBeInstanceOf(PlatformIdentity);

    expect(registry.get('aws').provider).toBe('aws');
    expect(registry.get('aliyun').provider).toBe('aliyun');
    expect(registry.get('tencent').provider).toBe('tencent');
    expect(() => registry.get('gcp')).toThrow(UnknownProviderError);
    expect(() => registry.get('gcp')).toThrow(/known: aws, aliyun, tencent/);

    // Each call reaches the emulator (the endpoint override) and is logged through the injected logger.
    expect((await registry.get('aws').callerIdentity('us-east-1', keysOf(seed.aws))).arn).toBe(seed.aws.arn);
    expect((await registry.get('aliyun').callerIdentity('cn-hangzhou', keysOf(seed.aliyun))).arn).toBe(seed.aliyun.arn);
    expect((await registry.get('tencent').callerIdentity('ap-guangzhou', keysOf(seed.tencent))).arn).toBe(seed.tencent.arn);
    expect(lines.map((l) => JSON.parse(l) as { component: string; operation: string })).toMatchObject([
      { component: 'providers', operation: 'sts:GetCallerIdentity' },
      { component: 'providers', operation: 'sts:GetCallerIdentity' },
      { component: 'providers', operation: 'sts:GetCallerIdentity' },
    ]);
    await module.close();
  });
});
