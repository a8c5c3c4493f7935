import COS from 'cos-nodejs-sdk-v5';
import type { Logger } from 'pino';
import { parseCosBucket } from '../../cloud-identifiers/tencent';
import type { CloudCredentials, ProbeResult } from '../cloud-function-provider';
import { type CodeBucket, type ListObjectsCall, type ObjectPage, PACKAGE_SHA256_METADATA, type PutObjectCall, type StoredObject } from '../deployment';
import { ProviderError } from '../provider-error';
import { callCloud, probe } from '../shared/call';
import { ClientCache, credentialKey } from '../shared/client-cache';
import type { EndpointOverride } from '../shared/endpoint';
import { mapCosError } from './tencent-errors';

const SHA256_HEADER = `x-cos-meta-${PACKAGE_SHA256_METADATA}`;
// COS answers at most 1000 keys per GET Bucket.
const MAX_KEYS = 1000;

export interface TencentCosOptions {
  endpoint?: EndpointOverride;
  logger?: Logger;
  /** Deadline of HEAD, list and probe calls. */
  controlTimeoutMs: number;
  /** Deadline of an upload (packages are up to tens of MB). */
  uploadTimeoutMs?: number;
}

/**
 * Code-bucket calls on COS through cos-nodejs-sdk-v5 (Tencent's own SDK signs COS requests; the
 * cloud API SDK does not cover COS). With an endpoint override the SDK's `Ip` option sends every
 * request there while keeping the `<bucket>.cos.<region>.myqcloud.com` Host it signs, so the request
 * is otherwise exactly what COS receives.
 */
export class TencentCos implements CodeBucket {
  private readonly clients = new ClientCache<COS>();
  private readonly uploadTimeoutMs: number;

  constructor(private readonly options: TencentCosOptions) {
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? 300_000;
  }

  async putObject(creds: CloudCredentials, call: PutObjectCall): Promise<StoredObject> {
    const bucket = cosBucket(call.bucket, 'cos:PutObject');
    await this.call('cos:PutObject', call.region, creds, this.uploadTimeoutMs, (cos) =>
      cos.putObject({ Bucket: bucket, Region: call.region, Key: call.key, Body: call.body, ContentLength: call.size, ContentType: call.contentType, Headers: { [SHA256_HEADER]: call.sha256 } }),
    );
    return { key: call.key, size: call.size, sha256: call.sha256 };
  }

  /** `undefined` when the object does not exist; a HEAD answer has no body, so 404 is all COS says. */
  async headObject(creds: CloudCredentials, region: string, bucketName: string, key: string): Promise<StoredObject | undefined> {
    const bucket = cosBucket(bucketName, 'cos:HeadObject');
    try {
      const out = await this.call('cos:HeadObject', region, creds, this.options.controlTimeoutMs, (cos) => cos.headObject({ Bucket: bucket, Region: region, Key: key }));
      const headers = out.headers ?? {};
      const sha256 = headers[SHA256_HEADER];
      const lastModified = headers['last-modified'] ? new Date(headers['last-modified']) : undefined;
      return { key, size: Number(headers['content-length'] ?? 0), ...(sha256 ? { sha256 } : {}), ...(lastModified && !Number.isNaN(lastModified.getTime()) ? { lastModified } : {}) };
    } catch (error) {
      if (error instanceof ProviderError && error.httpStatus === 404 && error.cloudCode !== 'NoSuchBucket') return undefined;
      throw error;
    }
  }

  /** GET Bucket (list v1): `next` is the marker to continue after. */
  async listObjects(creds: CloudCredentials, call: ListObjectsCall): Promise<ObjectPage> {
    const bucket = cosBucket(call.bucket, 'cos:GetBucket');
    const out = await this.call('cos:GetBucket', call.region, creds, this.options.controlTimeoutMs, (cos) =>
      cos.getBucket({ Bucket: bucket, Region: call.region, MaxKeys: Math.min(Math.max(call.limit, 1), MAX_KEYS), ...(call.prefix ? { Prefix: call.prefix } : {}), ...(call.next ? { Marker: call.next } : {}) }),
    );
    const objects = out.Contents.map((c) => {
      const lastModified = new Date(c.LastModified);
      return { key: c.Key, size: Number(c.Size), ...(Number.isNaN(lastModified.getTime()) ? {} : { lastModified }) };
    });
    // NextMarker comes with a truncated page; the last key is the marker when COS leaves it out.
    const truncated = String(out.IsTruncated) === 'true';
    const next = truncated ? out.NextMarker || objects[objects.length - 1]?.key : undefined;
    return { objects, ...(next ? { next } : {}) };
  }

  /** The validation check `code_bucket`: one page of one key, which needs cos:GetBucket. */
  async probeBucket(region: string, creds: CloudCredentials, bucketName: string): Promise<ProbeResult> {
    return probe(async () => {
      const bucket = cosBucket(bucketName, 'cos:GetBucket');
      const out = await this.call('cos:GetBucket', region, creds, this.options.controlTimeoutMs, (cos) => cos.getBucket({ Bucket: bucket, Region: region, MaxKeys: 1 }));
      const n = out.Contents.length;
      return `COS bucket ${bucket} in ${region} can be listed (${n} object${n === 1 ? '' : 's'} in the first page of one).`;
    });
  }

  close(): void {
    this.clients.clear();
  }

  private call<T extends { headers?: Record<string, string>; RequestId?: string }>(operation: string, region: string, creds: CloudCredentials, timeoutMs: number, run: (cos: COS) => Promise<T>): Promise<T> {
    const secrets = [creds.secretAccessKey.reveal(), creds.sessionToken?.reveal()];
    const cos = this.client(creds, timeoutMs);
    return callCloud(
      { provider: 'tencent', operation, region, timeoutMs, logger: this.options.logger, mapError: (error, op) => mapCosError(error, op, secrets), requestIdOf: (r) => r.RequestId ?? r.headers?.['x-cos-request-id'] },
      () => run(cos),
    );
  }

  private client(creds: CloudCredentials, timeoutMs: number): COS {
    return this.clients.get(credentialKey(`cos|${timeoutMs}`, creds), () => {
      const endpoint = this.options.endpoint;
      const cos = new COS({
        SecretId: creds.accessKeyId,
        SecretKey: creds.secretAccessKey.reveal(),
        ...(creds.sessionToken ? { SecurityToken: creds.sessionToken.reveal() } : {}),
        ...(endpoint ? { Ip: endpoint.hostPort, Protocol: `${endpoint.protocol}:` } : {}),
        Timeout: timeoutMs,
        KeepAlive: true,
      });
      // cos-request would otherwise route through any http_proxy variable that happens to be set.
      cos.on('before-send', (opt: { proxy?: unknown }) => {
        opt.proxy = false;
      });
      return cos;
    });
  }
}

/** COS buckets are `<name>-<APPID>`; the SDK refuses anything else before sending, with a sentence Tether can say better. */
function cosBucket(bucket: string, operation: string): string {
  const parsed = parseCosBucket(bucket);
  if (!parsed.ok) throw new ProviderError({ kind: 'invalid_request', provider: 'tencent', operation, message: `COS bucket ${bucket} is not usable: ${parsed.message}` });
  return bucket;
}
