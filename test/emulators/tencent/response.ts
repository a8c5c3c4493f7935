import { type EmuResponse, json } from '../core/http';
import { ids } from '../core/ids';
import type { TcError } from './tc3';

/** Tencent Cloud API answers HTTP 200 even for errors; the error lives in Response.Error. */
export function tcError(error: TcError): EmuResponse {
  return json(200, { Response: { Error: { Code: error.code, Message: error.message }, RequestId: ids.requestId() } });
}

export function tcOk(body: Record<string, unknown>): EmuResponse {
  return json(200, { Response: { ...body, RequestId: ids.requestId() } });
}

/** Thrown by handlers; turned into `tcError`. */
export class TcApiError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
