import { Counter } from 'prom-client';
import { metricsRegistry } from '../metrics/metrics';

/** Invocations through Tether by route (invoke, batch, http), cloud and outcome (ok, function_error, error). */
export const functionCalls = new Counter({
  name: 'tether_function_calls_total',
  help: 'Function invocations, row batches and signed HTTP requests through connections, by route, provider and outcome.',
  labelNames: ['route', 'provider', 'outcome'] as const,
  registers: [metricsRegistry],
});

/** Rows sent through the external-function row protocol, and the batch invocations they took. */
export const batchRows = new Counter({
  name: 'tether_function_batch_rows_total',
  help: 'Rows sent through POST /connections/:id/functions/:function/batch.',
  labelNames: ['provider'] as const,
  registers: [metricsRegistry],
});

export const batchInvocations = new Counter({
  name: 'tether_function_batch_invocations_total',
  help: 'Invocations made for row batches, and how many of them were retries after throttling or a cloud failure.',
  labelNames: ['provider', 'kind'] as const,
  registers: [metricsRegistry],
});
