import type { AddressInfo } from 'node:net';
import { EmulatorAdmin } from './core/admin';
import { Clock } from './core/clock';
import { DEFAULT_DEPLOYMENT_SETTINGS, type EmulatorContext } from './core/context';
import { Counters } from './core/counters';
import { Faults } from './core/faults';
import { createEmulatorServer } from './core/server';
import { State } from './core/state';

export type * from './core/admin';
export type { AssumeRoleAttempt, CountersSnapshot } from './core/counters';
export type { Fault, FaultSpec } from './core/faults';
export type { ApiRoute, Cloud, FunctionBehaviour } from './core/state';
export { PLATFORM_ACCOUNTS } from './core/admin';

/** A running emulator: one HTTP port for AWS, Aliyun and Tencent. */
export interface Emulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** `127.0.0.1:PORT`, the form the Aliyun and Tencent SDKs take as `endpoint`. */
  hostPort: string;
  admin: EmulatorAdmin;
  close(): Promise<void>;
}

export async function startEmulator(opts: { port?: number; host?: string } = {}): Promise<Emulator> {
  const clock = new Clock();
  const ctx: EmulatorContext = { state: new State(clock), clock, faults: new Faults(), counters: new Counters(), nonces: new Map(), deployment: { ...DEFAULT_DEPLOYMENT_SETTINGS } };
  const admin = new EmulatorAdmin(ctx);
  const server = createEmulatorServer(ctx, admin);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${shownHost}:${port}`;
  admin.baseUrl = url;
  return {
    url,
    port,
    hostPort: `${shownHost}:${port}`,
    admin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
