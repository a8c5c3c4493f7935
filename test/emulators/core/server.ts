import { createServer, type Server } from 'node:http';
import { handleAliyun } from '../aliyun/dispatch';
import { handleOss, isOssHost } from '../aliyun/oss';
import { awsErrorResponse, authError } from '../aws/errors';
import { handleExecuteApi, isExecuteApiRequest } from '../aws/execute-api';
import { handleLambda } from '../aws/lambda';
import { handleS3 } from '../aws/s3';
import { sigV4Scope } from '../aws/sigv4';
import { handleAwsSts } from '../aws/sts';
import { handleCos, isCosRequest } from '../tencent/cos';
import { handleTencent } from '../tencent/dispatch';
import { type EmulatorAdmin, handleAdmin } from './admin';
import type { EmulatorContext } from './context';
import { type EmuRequest, type EmuResponse, header, json, readRequest } from './http';

/**
 * Routes one request to a cloud and service. All three clouds share the port, so the
 * Authorization scheme decides the cloud, and then:
 * - AWS: the service in the SigV4 credential scope (`sts`, `lambda`, `s3`, `execute-api`);
 * - Aliyun: OSS has schemes of its own (`OSS` for V1, `OSS4-HMAC-SHA256`); of the ACS3-signed
 *   requests, FC 2.0 ROA paths start with `/2021-04-06/` and everything else is STS (RPC);
 * - Tencent: `X-TC-Version` / `X-TC-Action` (the Node SDK's scope service is just the endpoint's
 *   first DNS label, e.g. `127`, so it cannot be trusted for routing); COS by its own
 *   `Authorization: q-sign-algorithm=sha1&q-ak=…` shape or a `<bucket>.cos.<region>.myqcloud.com` host.
 * Unsigned requests are routed by shape so that each service can answer "missing authentication"
 * in its own words.
 */
export async function dispatch(req: EmuRequest, ctx: EmulatorContext, admin: EmulatorAdmin): Promise<EmuResponse> {
  if (req.rawPath === '/__emulator' || req.rawPath.startsWith('/__emulator/')) return handleAdmin(req, admin);
  const authorization = header(req, 'authorization') ?? '';
  const scheme = authorization.split(' ')[0];
  if (scheme === 'AWS4-HMAC-SHA256') {
    const scope = sigV4Scope(req);
    switch (scope?.service) {
      case 'sts':
        return handleAwsSts(req, ctx);
      case 'lambda':
        return handleLambda(req, ctx);
      case 's3':
        return handleS3(req, ctx);
      case 'execute-api':
        return handleExecuteApi(req, ctx);
      default:
        return awsErrorResponse('query', { status: 400, code: 'InvalidClientTokenId', message: `The emulator does not serve the service in this credential scope (${scope?.service ?? 'unparseable'}).` });
    }
  }
  if (scheme === 'OSS' || scheme === 'OSS4-HMAC-SHA256') return handleOss(req, ctx);
  if (scheme === 'ACS3-HMAC-SHA256' || header(req, 'x-acs-action')) return handleAliyun(req, ctx);
  if (scheme === 'TC3-HMAC-SHA256' || header(req, 'x-tc-action')) return handleTencent(req, ctx);
  // Unsigned requests to an OSS virtual host are OSS's to refuse.
  if (isOssHost(req)) return handleOss(req, ctx);
  if (isCosRequest(req)) return handleCos(req, ctx);
  // Unsigned AWS-shaped requests.
  if (isExecuteApiRequest(req, ctx)) return handleExecuteApi(req, ctx);
  if (req.rawPath.startsWith('/2015-03-31/')) return handleLambda(req, ctx);
  if (req.query.some(([k]) => k === 'Action') || (req.method === 'POST' && req.rawPath === '/')) return awsErrorResponse('query', authError('query', { code: 'missing' }));
  if (req.rawPath !== '/') return handleS3(req, ctx);
  return json(404, { error: 'the emulator could not tell which cloud this request is for (no Authorization header)' });
}

export function createEmulatorServer(ctx: EmulatorContext, admin: EmulatorAdmin): Server {
  return createServer((msg, res) => {
    readRequest(msg)
      .then((req) => dispatch(req, ctx, admin))
      .catch((error: unknown) => json(500, { error: error instanceof Error ? error.message : String(error) }))
      .then((response) => {
        // AWS SDKs correct their clock offset from Date, so every answer carries one.
        // HEAD answers may announce the length of the body they leave out (HeadObject).
        const length = msg.method === 'HEAD' && response.headers['content-length'] ? response.headers['content-length'] : String(Buffer.byteLength(response.body));
        res.writeHead(response.status, { date: new Date().toUTCString(), ...response.headers, 'content-length': length });
        res.end(msg.method === 'HEAD' ? undefined : response.body);
      })
      .catch(() => res.destroy());
  });
}
