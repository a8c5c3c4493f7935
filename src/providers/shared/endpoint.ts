/** An endpoint override (`TetherConfig.endpoints.<cloud>`) taken apart for each SDK's own option shape. */
export interface EndpointOverride {
  /** `http://127.0.0.1:4566`, no trailing slash: the AWS SDK's `endpoint`. */
  url: string;
  /** `127.0.0.1:4566`: what the Aliyun and Tencent SDKs take as `endpoint`, and sign as the host. */
  hostPort: string;
  protocol: 'http' | 'https';
}

export function parseEndpoint(raw: string | undefined): EndpointOverride | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`endpoint override must be an http or https URL`);
  // The SDKs put their own path after the host; a path in the override would be silently dropped.
  if (url.pathname !== '/' && url.pathname !== '') throw new RangeError('endpoint override must not carry a path');
  return { url: `${url.protocol}//${url.host}`, hostPort: url.host, protocol: url.protocol === 'http:' ? 'http' : 'https' };
}
