import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Tether's Prometheus metrics. Process-wide, like the process they describe: several app
 * instances in one process (the fleet tests) add to the same series.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'tether_' });

const FAST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequests = new Counter({
  name: 'tether_http_requests_total',
  help: 'HTTP requests by method, route template and status.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
  collect: () => flushHttpRequests(),
});

export const httpRequestDuration = new Histogram({
  name: 'tether_http_request_duration_seconds',
  help: 'HTTP request latency by method and route template.',
  labelNames: ['method', 'route'] as const,
  buckets: FAST_BUCKETS,
  registers: [metricsRegistry],
  collect: () => flushHttpRequests(),
});

interface AnsweredRequest {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly seconds: number;
}

const HTTP_FLUSH_MS = 250;
const HTTP_FLUSH_BATCH = 10_000;
const answered: AnsweredRequest[] = [];
let httpFlush: NodeJS.Timeout | undefined;

/**
 * Counts an answered request into the two series above, in batches: on a short timer, and before
 * every scrape (their collect hooks), so a scrape always sees every request answered before it.
 * prom-client hashes the labels on every call, and done per request that cost a seventh of the
 * credentials route's throughput (README "Benchmarks").
 */
export function countHttpRequest(request: AnsweredRequest): void {
  answered.push(request);
  if (answered.length >= HTTP_FLUSH_BATCH) flushHttpRequests();
  else httpFlush ??= setTimeout(flushHttpRequests, HTTP_FLUSH_MS).unref();
}

function flushHttpRequests(): void {
  clearTimeout(httpFlush);
  httpFlush = undefined;
  const counts = new Map<string, { labels: { method: string; route: string; status: number }; n: number }>();
  for (const { method, route, status, seconds } of answered) {
    const key = `${method} ${status} ${route}`;
    const count = counts.get(key);
    if (count) count.n += 1;
    else counts.set(key, { labels: { method, route, status }, n: 1 });
    httpRequestDuration.observe({ method, route }, seconds);
  }
  answered.length = 0;
  for (const { labels, n } of counts.values()) httpRequests.inc(labels, n);
}

export const cloudCalls = new Counter({
  name: 'tether_cloud_calls_total',
  help: 'Calls to a cloud API (STS, functions, storage) by provider, operation and outcome.',
  labelNames: ['provider', 'operation', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const cloudCallDuration = new Histogram({
  name: 'tether_cloud_call_duration_seconds',
  help: 'Latency of cloud API calls by provider and operation.',
  labelNames: ['provider', 'operation'] as const,
  buckets: FAST_BUCKETS,
  registers: [metricsRegistry],
});

/** What a credential cache reports; the broker registers its cache here. */
export interface CredentialCacheSource {
  readonly counters: object;
  readonly size: number;
}

const credentialCaches = new Set<CredentialCacheSource>();

export function registerCredentialCache(cache: CredentialCacheSource): () => void {
  credentialCaches.add(cache);
  return () => credentialCaches.delete(cache);
}

// Read from the caches at scrape time, so the hot path only bumps plain numbers.
export const credentialCacheEvents = new Counter({
  name: 'tether_credential_cache_events_total',
  help: 'Credential cache events: hits, misses, refreshes, stsCalls, sharedHits (from another replica), failures, degradedHits (served while STS failed), evictions.',
  labelNames: ['event'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const cache of credentialCaches) for (const [event, value] of Object.entries(cache.counters as Record<string, number>)) this.inc({ event }, value);
  },
});

export const credentialCacheSize = new Gauge({
  name: 'tether_credential_cache_entries',
  help: 'Credential sets held in this process\'s caches.',
  registers: [metricsRegistry],
  collect() {
    this.set([...credentialCaches].reduce((sum, cache) => sum + cache.size, 0));
  },
});

export const invocations = new Counter({
  name: 'tether_function_invocations_total',
  help: 'Function invocations by provider, kind (invoke, batch, http) and outcome.',
  labelNames: ['provider', 'kind', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const validations = new Counter({
  name: 'tether_validations_total',
  help: 'Connection validations by resulting status (valid, invalid, insecure) and trigger (request, posture).',
  labelNames: ['status', 'trigger'] as const,
  registers: [metricsRegistry],
});
