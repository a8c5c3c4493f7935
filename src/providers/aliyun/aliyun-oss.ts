import { isIP } from 'node:net';
import OSS from 'ali-oss';
import type { CloudCredentials, ProbeResult } from '../cloud-function-provider';
import { type CodeBucket, type ListObjectsCall, type ObjectPage, PACKAGE_SHA256_METADATA, type PutObjectCall, type StoredObject } from '../deployment';
import { isProviderError } from '../provider-error';
import { probe } from '../shared/call';
import { ClientCache, credentialKey } from '../shared/client-cache';
import type { EndpointOverride } from '../shared/endpoint';

/** Runs one SDK call through the provider's `callCloud` (deadline, error mapping, the one log line). */
export type OssCaller = <T>(operation: string, region: string, creds: CloudCredentials, run: () => Promise<T>, requestIdOf: (r: T) => string | undefined, timeoutMs?: number) => Promise<T>;

export interface AliyunOssOptions {
  endpoint?: EndpointOverride;
  call: OssCaller;
  /** Deadline of HEAD and listing calls. */
  controlTimeoutMs: number;
  /** Deadline of an upload (a package of tens of MB). */
  uploadTimeoutMs: number;
}

/** What ali-oss 6.23 takes besides its published types: path-style addressing. */
type OssOptions = OSS.Options & { sldEnable?: boolean };

/** ali-oss answers carry the raw response; the request id is in its headers. */
interface WithResponse {
  res?: { headers?: unknown };
}

function requestIdOf(result: WithResponse): string | undefined {
  const headers = (result.res?.headers ?? {}) as Record<string, string | undefined>;
  return headers['x-oss-request-id'];
}

/**
 * The connection's OSS code bucket through ali-oss, signed with OSS's V4 signature. ali-oss signs
 * and streams uploads itself, so Tether does not carry a signer of its own for OSS.
 */
export class AliyunOss implements CodeBucket {
  private readonly clients = new ClientCache<OSS>();

  constructor(private readonly options: AliyunOssOptions) {}

  async putObject(creds: CloudCredentials, call: PutObjectCall): Promise<StoredObject> {
    const client = this.client(call.region, creds, call.bucket);
    const timeout = this.options.uploadTimeoutMs;
    // A known length is sent as Content-Length: without it ali-oss would fall back to chunked encoding.
    const options = { contentLength: call.size, mime: call.contentType, headers: { 'Content-Type': call.contentType }, meta: { [PACKAGE_SHA256_METADATA]: call.sha256 }, timeout };
    await this.options.call('oss:PutObject', call.region, creds, () => client.putStream(call.key, call.body, options as unknown as OSS.PutStreamOptions), requestIdOf, timeout);
    return { key: call.key, size: call.size, sha256: call.sha256 };
  }

  /** `undefined` when the object does not exist (ali-oss reports a HEAD 404 as NoSuchKey, a missing bucket included). */
  async headObject(creds: CloudCredentials, region: string, bucket: string, key: string): Promise<StoredObject | undefined> {
    const client = this.client(region, creds, bucket);
    try {
      const out = await this.options.call('oss:HeadObject', region, creds, () => client.head(key, { timeout: this.options.controlTimeoutMs } as OSS.HeadObjectOptions), requestIdOf);
      const headers = (out.res.headers ?? {}) as Record<string, string | undefined>;
      const meta = (out.meta ?? {}) as Record<string, string | undefined>;
      const size = Number(headers['content-length']);
      const lastModified = headers['last-modified'] ? new Date(headers['last-modified']) : undefined;
      return {
        key,
        size: Number.isFinite(size) ? size : 0,
        ...(lastModified && !Number.isNaN(lastModified.getTime()) ? { lastModified } : {}),
        ...(meta[PACKAGE_SHA256_METADATA] ? { sha256: meta[PACKAGE_SHA256_METADATA] } : {}),
      };
    } catch (error) {
      if (isProviderError(error) && error.kind === 'not_found') return undefined;
      throw error;
    }
  }

  async listObjects(creds: CloudCredentials, call: ListObjectsCall): Promise<ObjectPage> {
    const client = this.client(call.region, creds, call.bucket);
    // Query values must not be empty or undefined: V4 signs what ali-oss passes, not what the URL carries.
    const query: Record<string, string> = { 'max-keys': String(Math.max(1, Math.min(call.limit, 1000))) };
    if (call.prefix) query['prefix'] = call.prefix;
    if (call.next) query['continuation-token'] = call.next;
    const out = await this.options.call('oss:ListObjects', call.region, creds, () => client.listV2(query as OSS.ListV2ObjectsQuery, { timeout: this.options.controlTimeoutMs }), requestIdOf);
    const objects = (out.objects ?? []).map((o) => {
      const lastModified = new Date(o.lastModified);
      return { key: o.name, size: Number(o.size), ...(Number.isNaN(lastModified.getTime()) ? {} : { lastModified }) };
    });
    return { objects, ...(out.isTruncated && out.nextContinuationToken ? { next: out.nextContinuationToken } : {}) };
  }

  /** Validation's `code_bucket` check: the bucket can be listed (oss:ListObjects). */
  probeBucket(region: string, creds: CloudCredentials, bucket: string): Promise<ProbeResult> {
    return probe(async () => {
      const page = await this.listObjects(creds, { region, bucket, limit: 1 });
      const first = page.objects[0]?.key;
      return `OSS bucket ${bucket} in ${region} can be listed (${first ? `first object: ${first}` : 'no objects yet'}).`;
    });
  }

  close(): void {
    this.clients.clear();
  }

  private client(region: string, creds: CloudCredentials, bucket: string): OSS {
    const endpoint = this.options.endpoint;
    return this.clients.get(credentialKey(`oss|${region}|${bucket}`, creds), () => {
      const options: OssOptions = {
        accessKeyId: creds.accessKeyId,
        accessKeySecret: creds.secretAccessKey.reveal(),
        region: `oss-${region}`,
        bucket,
        authorizationV4: true,
        timeout: this.options.controlTimeoutMs,
        ...(creds.sessionToken
          ? {
              stsToken: creds.sessionToken.reveal(),
              // ali-oss warns on every client made with a token and no refresh interval; Tether renews the
              // credentials itself (the client cache is keyed by them), so the interval only silences that.
              refreshSTSTokenInterval: Math.max(60_000, (creds.expiration?.getTime() ?? Date.now() + 3_600_000) - Date.now()),
            }
          : {}),
        ...(endpoint
          ? {
              endpoint: endpoint.url,
              secure: endpoint.protocol === 'https',
              // With an IP endpoint ali-oss names the bucket in Host; a host name would become
              // <bucket>.<host>, which one override URL cannot serve: address by path there.
              ...(isIP(new URL(endpoint.url).hostname) ? {} : { sldEnable: true }),
            }
          : { secure: true }),
      };
      return new OSS(options);
    });
  }
}
