import type { CloudProvider } from '../../cloud-identifiers';
import { ProviderError } from '../provider-error';

/** TODO(#11): placeholder until the cloud's deployment calls land; answers 'unsupported'. */
export function deploymentNotBuilt(provider: CloudProvider, operation: string): Promise<never> {
  return Promise.reject(new ProviderError({ kind: 'unsupported', provider, operation, message: `${operation} is not built for ${provider} yet.` }));
}
