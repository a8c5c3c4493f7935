import { Module } from '@nestjs/common';
import { PlatformIdentity } from './platform-identity';
import { ProviderRegistry } from './provider-registry';

/**
 * The cloud seam: `ProviderRegistry.get(provider)` hands out the {@link CloudFunctionProvider} of
 * a cloud. Needs TETHER_CONFIG (and optionally LOGGER) from the global CoreModule.
 */
@Module({
  providers: [
    // The platform's base identity comes from each SDK's usual variables (AWS_*, ALIBABA_CLOUD_*, TENCENTCLOUD_*).
    { provide: PlatformIdentity, useFactory: () => new PlatformIdentity(process.env) },
    ProviderRegistry,
  ],
  exports: [ProviderRegistry, PlatformIdentity],
})
export class ProvidersModule {}
