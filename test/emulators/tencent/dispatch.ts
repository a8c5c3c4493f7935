import { type EmulatorContext, injectFault } from '../core/context';
import { type EmuRequest, type EmuResponse, header } from '../core/http';
import { handleScf, SCF_ACTIONS } from './scf';
import { handleTencentSts, STS_ACTIONS } from './sts';
import { TcApiError, tcError } from './response';
import { isTcFailure, verifyTc3 } from './tc3';

const VERSIONS: Record<string, 'sts' | 'scf'> = { '2018-08-13': 'sts', '2018-04-16': 'scf' };

/** Request parameters: the JSON body of a POST, or the flattened query of a GET. */
function params(req: EmuRequest): Record<string, unknown> {
  if (req.method === 'GET') return Object.fromEntries(req.query);
  if (req.body.length === 0) return {};
  const parsed: unknown = JSON.parse(req.body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TcApiError('InvalidParameter', 'The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

/**
 * Tencent Cloud API 3.0. The service is decided by X-TC-Version (then by action name), because
 * the signing scope's service is only the endpoint's first DNS label with the Node SDK.
 */
export async function handleTencent(req: EmuRequest, ctx: EmulatorContext): Promise<EmuResponse> {
  const action = header(req, 'x-tc-action') ?? '';
  const version = header(req, 'x-tc-version') ?? '';
  const service = VERSIONS[version] ?? (STS_ACTIONS.has(action) ? 'sts' : SCF_ACTIONS.has(action) ? 'scf' : undefined);
  ctx.counters.call('tencent', service ?? 'unknown', action || 'unknown');
  const auth = verifyTc3(req, ctx);
  if (isTcFailure(auth)) return tcError(auth);
  try {
    if (!service) throw new TcApiError('InvalidAction', `The requested action \`${action}\` does not exist.`);
    const known = service === 'sts' ? STS_ACTIONS : SCF_ACTIONS;
    if (!known.has(action)) throw new TcApiError('InvalidAction', `The requested action \`${action}\` does not exist.`);
    let body: Record<string, unknown>;
    try {
      body = params(req);
    } catch (error) {
      if (error instanceof TcApiError) throw error;
      throw new TcApiError('InvalidParameter', 'The request body is not valid JSON.');
    }
    const fault = await injectFault(ctx, 'tencent', service, action);
    if (fault) throw new TcApiError(fault.code!, fault.message ?? 'The number of requests exceeds the frequency limit.');
    const region = header(req, 'x-tc-region');
    return service === 'sts' ? await handleTencentSts(ctx, auth.caller, action, body) : await handleScf(ctx, auth.caller, action, body, region);
  } catch (error) {
    if (error instanceof TcApiError) return tcError({ code: error.code, message: error.message });
    throw error;
  }
}
