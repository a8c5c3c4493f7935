import type { CloudProvider } from '../cloud-identifiers';
import { Sensitive } from '../common/logging/sensitive';
import type { CallerCredentials, CloudCredentials } from './cloud-function-provider';
import { ProviderError } from './provider-error';

type Env = Readonly<Record<string, string | undefined>>;

/** How AWS calls are signed when the caller is 'ambient'. */
export type AwsAmbient =
  /** Leave `credentials` unset: the SDK's default provider chain (env, SSO, profile, web identity, container, IMDS). */
  | { kind: 'default-chain' }
  /** Keys read from an environment given to {@link PlatformIdentity} (tests, tools). */
  | { kind: 'keys'; credentials: CloudCredentials };

/** The variables each cloud's SDK reads for its base identity. */
export const PLATFORM_ENV = {
  aliyun: { id: 'ALIBABA_CLOUD_ACCESS_KEY_ID', secret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', token: 'ALIBABA_CLOUD_SECURITY_TOKEN' },
  tencent: { id: 'TENCENTCLOUD_SECRET_ID', secret: 'TENCENTCLOUD_SECRET_KEY', token: 'TENCENTCLOUD_SESSION_TOKEN' },
  aws: { id: 'AWS_ACCESS_KEY_ID', secret: 'AWS_SECRET_ACCESS_KEY', token: 'AWS_SESSION_TOKEN' },
} as const;

/**
 * The platform's own ambient identity per cloud: what 'ambient' callers sign with.
 *
 * - AWS: with the process environment, the SDK's default chain — no credentials are passed, so
 *   instance profiles, containers, SSO and `AWS_*` variables all work as usual. With an
 *   environment given explicitly, its `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`
 *   are used when set (the default chain cannot read a private environment), else the default chain.
 * - Aliyun: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, `ALIBABA_CLOUD_SECURITY_TOKEN`.
 * - Tencent: `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, `TENCENTCLOUD_SESSION_TOKEN`.
 *
 * Values are read on every call (rotated keys are picked up) and wrapped in `Sensitive` at once.
 */
export class PlatformIdentity {
  constructor(private readonly env: Env = process.env) {}

  aws(): AwsAmbient {
    if (this.env === process.env) return { kind: 'default-chain' };
    const keys = this.keys('aws');
    return keys ? { kind: 'keys', credentials: keys } : { kind: 'default-chain' };
  }

  /** Aliyun's or Tencent's ambient keys; a ProviderError (invalid_credentials) naming the variables when they are not set. */
  keysFor(provider: 'aliyun' | 'tencent'): CloudCredentials {
    const keys = this.keys(provider);
    if (!keys) {
      const names = PLATFORM_ENV[provider];
      throw new ProviderError({
        kind: 'invalid_credentials',
        provider,
        operation: 'platform-identity',
        message: `The platform has no ${provider === 'aliyun' ? 'Alibaba Cloud' : 'Tencent Cloud'} identity: set ${names.id} and ${names.secret} (and ${names.token} for temporary keys).`,
      });
    }
    return keys;
  }

  /** Explicit keys stay as they are; 'ambient' becomes the platform keys (Aliyun, Tencent). */
  resolve(provider: 'aliyun' | 'tencent', caller: CallerCredentials): CloudCredentials {
    return caller === 'ambient' ? this.keysFor(provider) : caller;
  }

  /** Whether an ambient identity is configured for the cloud (AWS: always, the default chain decides at call time). */
  isConfigured(provider: CloudProvider): boolean {
    return provider === 'aws' || this.keys(provider) !== undefined;
  }

  private keys(provider: CloudProvider): CloudCredentials | undefined {
    const names = PLATFORM_ENV[provider];
    const id = this.read(names.id);
    const secret = this.read(names.secret);
    if (!id || !secret) return undefined;
    const token = this.read(names.token);
    return { accessKeyId: id, secretAccessKey: new Sensitive(secret), ...(token ? { sessionToken: new Sensitive(token) } : {}) };
  }

  private read(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }
}
