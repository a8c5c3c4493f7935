import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { CLOUD_PROVIDERS, type CloudProvider, isCloudProvider } from '../cloud-identifiers';
import { LOGGER } from '../common/logging/logger.token';
import { TETHER_CONFIG, type TetherConfig } from '../config/load-config';
import { AliyunFunctionProvider } from './aliyun/aliyun-provider';
import { AwsFunctionProvider } from './aws/aws-provider';
import type { CloudFunctionProvider } from './cloud-function-provider';
import { PlatformIdentity } from './platform-identity';
import { TencentFunctionProvider } from './tencent/tencent-provider';

/** Asked for a cloud Tether has no provider for (a bug above: providers are validated at the edge). */
export class UnknownProviderError extends Error {
  constructor(readonly provider: string) {
    super(`No cloud function provider for "${provider.slice(0, 40)}"; known: ${CLOUD_PROVIDERS.join(', ')}.`);
    this.name = 'UnknownProviderError';
  }
}

type ClosableProvider = CloudFunctionProvider & { close(): void };

/**
 * The one place that knows which class serves which cloud. Each provider sends every call to
 * `config.endpoints.<cloud>` when it is set, and signs 'ambient' calls with {@link PlatformIdentity}.
 */
@Injectable()
export class ProviderRegistry implements OnModuleDestroy {
  private readonly providers: ReadonlyMap<CloudProvider, ClosableProvider>;

  constructor(@Inject(TETHER_CONFIG) config: TetherConfig, platform: PlatformIdentity, @Optional() @Inject(LOGGER) logger?: Logger) {
    const log = logger?.child({ component: 'providers' });
    const common = { platform, ...(log ? { logger: log } : {}) };
    this.providers = new Map<CloudProvider, ClosableProvider>([
      ['aws', new AwsFunctionProvider({ ...common, endpoint: config.endpoints.aws })],
      ['aliyun', new AliyunFunctionProvider({ ...common, endpoint: config.endpoints.aliyun })],
      ['tencent', new TencentFunctionProvider({ ...common, endpoint: config.endpoints.tencent })],
    ]);
  }

  /** The provider of a cloud; throws {@link UnknownProviderError} for anything else. */
  get(provider: CloudProvider | string): CloudFunctionProvider {
    const found = isCloudProvider(provider) ? this.providers.get(provider) : undefined;
    if (!found) throw new UnknownProviderError(provider);
    return found;
  }

  onModuleDestroy(): void {
    for (const provider of this.providers.values()) provider.close();
  }
}
