import type { EmulatorContext } from '../core/context';
import type { EmuRequest, EmuResponse } from '../core/http';
import { handleFc } from './fc';
import { handleAliyunSts } from './sts';

/** FC 2.0 is ROA (`/2021-04-06/...` paths); STS is RPC on `/` with `x-acs-action`. */
export function handleAliyun(req: EmuRequest, ctx: EmulatorContext): Promise<EmuResponse> {
  return req.rawPath.startsWith('/2021-04-06/') ? handleFc(req, ctx) : handleAliyunSts(req, ctx);
}
