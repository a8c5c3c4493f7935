/** The clouds Tether reaches into. */
export type CloudProvider = 'aws' | 'aliyun' | 'tencent';

/** Every provider, in a stable order (for enumerating in messages and tests). */
export const CLOUD_PROVIDERS: readonly CloudProvider[] = ['aws', 'aliyun', 'tencent'];

/** Narrows an untrusted string to a {@link CloudProvider}. */
export function isCloudProvider(value: string): value is CloudProvider {
  return (CLOUD_PROVIDERS as readonly string[]).includes(value);
}
