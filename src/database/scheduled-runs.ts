import { DataSource } from 'typeorm';

/**
 * Claims the right to start a periodic job, across replicas: one atomic statement on the
 * `scheduled_runs` row, which succeeds for exactly one caller per `minGapMs`.
 */
export async function claimScheduledRun(dataSource: DataSource, name: string, runner: string, minGapMs: number): Promise<boolean> {
  const claimed: unknown[] = await dataSource.query(
    `INSERT INTO scheduled_runs (name, last_started_at, last_runner) VALUES ($1, now(), $2)
     ON CONFLICT (name) DO UPDATE SET last_started_at = now(), last_runner = EXCLUDED.last_runner
     WHERE scheduled_runs.last_started_at <= now() - $3::interval
     RETURNING name`,
    [name, runner, `${Math.floor(minGapMs)} milliseconds`],
  );
  return claimed.length === 1;
}
