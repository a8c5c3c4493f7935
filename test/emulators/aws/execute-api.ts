import { authorize } from '../core/authz';
import { type EmulatorContext, injectFault } from '../core/context';
import { type EmuRequest, type EmuResponse, header, json } from '../core/http';
import { ids } from '../core/ids';
import type { ApiDef, ApiRoute } from '../core/state';
import { awsErrorResponse, authError } from './errors';
import { isAuthFailure, verifySigV4 } from './sigv4';

/**
 * API Gateway with IAM authorisation. An API is addressed either
 * - by Host: `Host: <apiId>.execute-api.<region>.amazonaws.com[.cn]`, path `/<stage>/<route>` (what a
 *   client that keeps the real URL's Host header sends), or
 * - by path, when the host is the emulator itself: `http://127.0.0.1:PORT/<apiId>/<stage>/<route>`.
 * Either way the request must be SigV4-signed for service `execute-api` over exactly what was sent.
 */
interface Located {
  api: ApiDef;
  /** Path after the stage, starting with `/`. */
  routePath: string;
  stage: string;
}

function locate(req: EmuRequest, ctx: EmulatorContext): Located | undefined {
  const host = (header(req, 'host') ?? '').split(':')[0]!;
  const byHost = /^([a-z0-9]+)\.execute-api\./.exec(host);
  let apiId: string | undefined;
  let rest: string;
  if (byHost) {
    apiId = byHost[1];
    rest = req.rawPath;
  } else {
    const m = /^\/([a-z0-9]+)(\/.*)?$/.exec(req.rawPath);
    if (!m) return undefined;
    apiId = m[1];
    rest = m[2] ?? '/';
  }
  const api = apiId ? ctx.state.apis.get(apiId) : undefined;
  if (!api) return undefined;
  const sm = /^\/([^/]+)(\/.*)?$/.exec(rest);
  return { api, stage: sm?.[1] ?? '', routePath: sm?.[2] ?? '/' };
}

export function isExecuteApiRequest(req: EmuRequest, ctx: EmulatorContext): boolean {
  return locate(req, ctx) !== undefined;
}

function routeMatches(route: ApiRoute, method: string, path: string): boolean {
  if (route.method !== 'ANY' && route.method.toUpperCase() !== method) return false;
  const want = route.path.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (/^\{[^}]+\+\}$/.test(w)) return got.length > i; // greedy `{proxy+}` takes the rest
    if (got[i] === undefined) return false;
    if (!/^\{[^}]+\}$/.test(w) && w !== got[i]) return false;
  }
  return want.length === got.length;
}

/** `execute-api:Invoke` on `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`, then an echo. */
export async function handleExecuteApi(req: EmuRequest, ctx: EmulatorContext): Promise<EmuResponse> {
  ctx.counters.call('aws', 'execute-api', 'Invoke');
  const located = locate(req, ctx);
  if (!located) return json(403, { message: 'Forbidden' }, { 'x-amzn-errortype': 'ForbiddenException' });
  const { api, stage, routePath } = located;
  // API Gateway famously answers an unknown route of an IAM-protected API with "Missing Authentication Token".
  if (stage !== api.stage || !api.routes.some((r) => routeMatches(r, req.method, routePath))) {
    return awsErrorResponse('apigw', authError('apigw', { code: 'missing' }));
  }
  const auth = verifySigV4(req, ctx, { skewMinutes: 5, allowUnsignedPayload: false });
  if (isAuthFailure(auth)) return awsErrorResponse('apigw', authError('apigw', auth));
  const fault = await injectFault(ctx, 'aws', 'execute-api', 'Invoke');
  if (fault) return awsErrorResponse('apigw', { status: fault.status ?? 429, code: fault.code!, message: fault.message ?? 'Too Many Requests' });
  const caller = auth.caller;
  const partition = ctx.state.account('aws', api.accountId)?.partition ?? 'aws';
  const resource = `arn:${partition}:execute-api:${api.region}:${api.accountId}:${api.apiId}/${stage}/${req.method}${routePath}`;
  const decision = authorize(caller, ctx.clock.now(), { action: 'execute-api:Invoke', resource, resourcePolicy: api.resourcePolicy, resourceAccount: api.accountId });
  if (!decision.allowed) {
    return json(403, { Message: `User: ${caller.arn} is not authorized to perform: execute-api:Invoke on resource: ${resource}${decision.reason === 'explicit-deny' ? ' with an explicit deny' : ''}` }, { 'x-amzn-errortype': 'AccessDeniedException' });
  }
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v ?? '']));
  return json(
    200,
    {
      apiId: api.apiId,
      stage,
      method: req.method,
      path: routePath,
      query: Object.fromEntries(req.query),
      headers,
      body: req.body.toString('utf8'),
      caller: { arn: caller.arn, account: caller.account.id, userId: caller.userId },
      resource,
    },
    { 'x-amzn-requestid': ids.requestId(), 'x-amz-apigw-id': ids.alnum(16) },
  );
}
