import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService, AuditTarget } from '../audit/audit.service';
import { AuthContext } from '../auth/auth-context';
import { TetherError } from '../common/problem/tether-error';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import { ConnectionEntity } from '../connections/connection.entity';
import { ConnectionsService } from '../connections/connections.service';
import { CredentialBroker } from '../credentials/credential-broker';
import { EgressAllowlist } from '../egress/egress-policy';
import { checkHeaders, checkTarget, executeApiRegion, send, signExecuteApi } from '../egress/signed-http';
import { InvokeCall, ProviderRegistry } from '../providers';
import { BatchRequest, BatchResponse, HttpCallRequest, HttpCallResponse, InvokeFunctionRequest, InvokeFunctionResponse } from './dto/functions.dto';
import { batchInvocations, batchRows, functionCalls } from './function-metrics';
import { batchByteBudget, checkPayloadSize, DEFAULT_ASYNC_TIMEOUT_SECONDS, DEFAULT_SYNC_TIMEOUT_SECONDS, payloadLimit } from './function-limits';
import { describeFunction, refuseInsecure, requireCapability } from '../connections/connection-use';
import { invocationProblem } from './invocation-errors';
import { DEFAULT_RETRY, RetryPolicy, withRetry } from './retry';
import { readBatchAnswer, runBounded, splitRows } from './row-batching';

export const DEFAULT_BATCH_ROWS = 500;
export const DEFAULT_CONCURRENCY = 4;
const DEFAULT_HTTP_TIMEOUT_SECONDS = 30;

/**
 * Invokes customers' functions through a connection: one call, a batch in the external-function
 * row protocol, or a SigV4-signed request to an API Gateway endpoint. No database transaction is
 * open while a cloud is called; each invocation's audit event is written after it, on its own.
 */
@Injectable()
export class FunctionsService {
  private readonly allowlist: EgressAllowlist;
  /** Replaced by tests that must not wait for real backoff. */
  retryPolicy: RetryPolicy = DEFAULT_RETRY;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ConnectionsService) private readonly connections: ConnectionsService,
    @Inject(CredentialBroker) private readonly credentials: CredentialBroker,
    @Inject(ProviderRegistry) private readonly providers: ProviderRegistry,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(TETHER_CONFIG) config: TetherConfig,
  ) {
    this.allowlist = new EgressAllowlist(config.egressAllowlist);
  }

  async invoke(auth: AuthContext, idOrName: string, functionName: string, request: InvokeFunctionRequest): Promise<InvokeFunctionResponse> {
    const mode = request.mode ?? 'sync';
    const target: AuditTarget = { action: 'function.invoke', targetType: 'function', targetId: functionName, detail: { function: functionName, mode, ...(request.qualifier ? { qualifier: request.qualifier } : {}) } };
    return this.audited(auth, target, async () => {
      const connection = await this.usable(auth, idOrName, target);
      const payload = Buffer.from(JSON.stringify(request.payload === undefined ? {} : request.payload), 'utf8');
      checkPayloadSize(connection.provider, mode, payload.length);
      const creds = await this.credentials.credentialsFor(connection);
      const timeoutSeconds = request.timeoutSeconds ?? (mode === 'sync' ? DEFAULT_SYNC_TIMEOUT_SECONDS : DEFAULT_ASYNC_TIMEOUT_SECONDS);
      const call = this.callOf(connection, functionName, { qualifier: request.qualifier, payload, mode, logs: request.logs === true && mode === 'sync', timeoutMs: timeoutSeconds * 1000 });
      const outcome = await this.providers
        .get(connection.provider)
        .invoke(creds, call)
        .catch((error: unknown) => {
          throw invocationProblem(error, describeFunction(connection, functionName));
        });
      Object.assign(target.detail as object, { statusCode: outcome.statusCode, durationMs: outcome.durationMs, outcome: outcome.functionError ? 'function_error' : 'ok', ...(outcome.functionError ? { functionErrorType: outcome.functionError.type } : {}), requestBytes: payload.length });
      return {
        statusCode: outcome.statusCode,
        payload: decodePayload(outcome.payload),
        functionError: outcome.functionError ? { type: outcome.functionError.type, message: outcome.functionError.message } : null,
        log: outcome.log ?? null,
        requestId: outcome.requestId ?? null,
        durationMs: outcome.durationMs,
      };
    });
  }

  async batch(auth: AuthContext, idOrName: string, functionName: string, request: BatchRequest): Promise<BatchResponse> {
    const started = performance.now();
    const target: AuditTarget = { action: 'function.batch', targetType: 'function', targetId: functionName, detail: { function: functionName, rows: request.rows.length } };
    return this.audited(auth, target, async () => {
      const connection = await this.usable(auth, idOrName, target);
      const maxRows = request.maxBatchRows ?? DEFAULT_BATCH_ROWS;
      const concurrency = request.maxConcurrency ?? DEFAULT_CONCURRENCY;
      const budget = batchByteBudget(connection.provider);
      const batches = splitRows(request.rows, maxRows, budget, (row, bytes) =>
        new TetherError('function-payload-too-large', `Row ${row} alone makes a ${bytes}-byte request, above the ${budget}-byte batch budget under ${payloadLimit(connection.provider, 'sync').name}; it cannot be sent.`, { row, limitBytes: budget }),
      );
      const creds = await this.credentials.credentialsFor(connection);
      const provider = this.providers.get(connection.provider);
      const timeoutMs = (request.timeoutSeconds ?? DEFAULT_SYNC_TIMEOUT_SECONDS) * 1000;
      let retries = 0;
      const what = describeFunction(connection, functionName);
      const answers = await runBounded(batches, concurrency, async (batch) => {
        const call = this.callOf(connection, functionName, { qualifier: request.qualifier, payload: batch.body, mode: 'sync', logs: false, timeoutMs });
        batchInvocations.inc({ provider: connection.provider, kind: 'first' });
        const onRetry = () => {
          retries += 1;
          batchInvocations.inc({ provider: connection.provider, kind: 'retry' });
        };
        const outcome = await withRetry(() => provider.invoke(creds, call), this.retryPolicy, onRetry).catch((error: unknown) => {
          const problem = invocationProblem(error, what);
          if (problem instanceof TetherError) Object.assign(problem.extras, { batch: batch.index, firstRow: batch.first, lastRow: batch.first + batch.count - 1 });
          throw problem;
        });
        if (outcome.functionError) {
          throw new TetherError('function-error', `Batch ${batch.index} (rows ${batch.first}-${batch.first + batch.count - 1}): ${what} failed: ${outcome.functionError.type}: ${outcome.functionError.message.slice(0, 500)}`, {
            batch: batch.index,
            firstRow: batch.first,
            lastRow: batch.first + batch.count - 1,
            functionError: { type: outcome.functionError.type, message: outcome.functionError.message.slice(0, 2000) },
          });
        }
        return readBatchAnswer(batch, outcome.payload);
      }).finally(() => {
        Object.assign(target.detail as object, { batches: batches.length, retries });
        batchRows.inc({ provider: connection.provider }, request.rows.length);
      });
      const data: [number, unknown][] = new Array(request.rows.length);
      let row = 0;
      for (const results of answers) for (const result of results) data[row] = [row++, result];
      const durationMs = Math.round(performance.now() - started);
      Object.assign(target.detail as object, { durationMs, outcome: 'ok' });
      return { data, batches: batches.length, retries, durationMs };
    });
  }

  async http(auth: AuthContext, idOrName: string, request: HttpCallRequest): Promise<HttpCallResponse> {
    const started = performance.now();
    const target: AuditTarget = { action: 'http.request', targetType: 'connection', detail: { method: request.method } };
    return this.audited(auth, target, async () => {
      const connection = await this.usable(auth, idOrName, target);
      target.targetId = connection.id;
      if (connection.provider !== 'aws') throw new TetherError('not-applicable', `POST /connections/:id/http signs for Amazon API Gateway (execute-api); connection '${connection.name}' is ${connection.provider}.`);
      // Every check happens before credentials are fetched or a byte is sent.
      const checked = await checkTarget(request.url, connection.functions?.egress ?? [], this.allowlist);
      Object.assign(target.detail as object, { host: checked.host, port: checked.port, rule: checked.rule });
      const headers = checkHeaders(request.headers);
      let body = Buffer.alloc(0);
      if (request.body !== undefined && request.body !== null) {
        if (typeof request.body === 'string') body = Buffer.from(request.body, 'utf8');
        else {
          body = Buffer.from(JSON.stringify(request.body), 'utf8');
          headers['content-type'] ??= 'application/json';
        }
      }
      const creds = await this.credentials.credentialsFor(connection);
      const signed = await signExecuteApi(checked, { method: request.method, headers, body }, executeApiRegion(checked.host) ?? connection.region, creds);
      const response = await send(checked, signed, (request.timeoutSeconds ?? DEFAULT_HTTP_TIMEOUT_SECONDS) * 1000);
      Object.assign(target.detail as object, { status: response.status, durationMs: Math.round(performance.now() - started) });
      const contentType = response.headers['content-type'] ?? '';
      return { status: response.status, headers: response.headers, body: /json/i.test(contentType) ? decodePayload(response.body) : response.body.toString('utf8') };
    });
  }

  /** The connection, if it may invoke: in the workspace, granted, not insecure, with the invoke capability. */
  private async usable(auth: AuthContext, idOrName: string, target: AuditTarget): Promise<ConnectionEntity> {
    // Lambda names and ARNs, FC and SCF names: letters, digits and - _ . : $ (ARNs and qualifiers), at most 256.
    if (target.targetType === 'function' && !/^[A-Za-z0-9_.:$-]{1,256}$/.test(target.targetId ?? '')) {
      throw TetherError.field('function', 'must be a function name or ARN (letters, digits, - _ . : $; at most 256 characters)');
    }
    const connection = await this.connections.get(auth, idOrName);
    target.connectionId = connection.id;
    Object.assign(target.detail as object, { connection: connection.name, provider: connection.provider });
    refuseInsecure(connection);
    requireCapability(connection, 'invoke');
    return connection;
  }

  private callOf(connection: ConnectionEntity, functionName: string, call: Pick<InvokeCall, 'qualifier' | 'payload' | 'mode' | 'logs' | 'timeoutMs'>): InvokeCall {
    return {
      region: connection.region,
      functionName,
      ...(connection.functions?.namespace ? { namespace: connection.functions.namespace } : {}),
      ...(call.qualifier ? { qualifier: call.qualifier } : {}),
      payload: call.payload,
      mode: call.mode,
      logs: call.logs,
      timeoutMs: call.timeoutMs,
    };
  }

  /**
   * Runs an invocation, then records its event in a small transaction of its own: invocations
   * change nothing in the database, and no transaction may stay open while a cloud is called.
   */
  private async audited<T>(auth: AuthContext, target: AuditTarget, work: () => Promise<T>): Promise<T> {
    const route = target.action === 'function.invoke' ? 'invoke' : target.action === 'function.batch' ? 'batch' : 'http';
    const detail = target.detail as { provider?: string; outcome?: string };
    let result: T;
    try {
      result = await work();
    } catch (error) {
      functionCalls.inc({ route, provider: detail.provider ?? 'unknown', outcome: 'error' });
      await this.audit.recordFailure(auth, target, error);
      throw error;
    }
    functionCalls.inc({ route, provider: detail.provider ?? 'unknown', outcome: detail.outcome === 'function_error' ? 'function_error' : 'ok' });
    await this.dataSource.transaction((manager) => this.audit.record(manager, auth, target));
    return result;
  }
}


/** JSON when the bytes parse as JSON, else the UTF-8 text; null for nothing. */
function decodePayload(payload: Buffer): unknown {
  if (payload.length === 0) return null;
  const text = payload.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
