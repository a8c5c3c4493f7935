import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { inject } from 'vitest';
import { createApp } from '../../../src/app.factory';
import { loadConfig, TetherConfig } from '../../../src/config/load-config';
import { createLogger } from '../../../src/common/logging/logger';

export const BOOTSTRAP_TOKEN = 'tether-test-bootstrap-token-0123456789abcdef';
/** The platform identities the test configuration trusts (no aws-us-gov principal on purpose). */
export const PLATFORM = {
  awsPrincipal: 'arn:aws:iam::111111111111:role/tether-broker',
  awsCnPrincipal: 'arn:aws-cn:iam::222222222222:root',
  aliyunAccountId: '1111111111111111',
  tencentUin: '100000000001',
};

export const MASTER_KEY = `it1:${Buffer.alloc(32, 7).toString('base64')}`;

/** A running Tether over real HTTP (Fastify), with every log line captured for inspection. */
export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly config: TetherConfig;
  readonly http: TestAgent;
  readonly logs: string[];
  /** A fresh workspace and its admin token, so tests never see each other's objects. */
  workspace(): Promise<{ id: string; name: string; adminToken: string }>;
  /** A token of the given role in the workspace of `adminToken`. */
  token(adminToken: string, role: string, extra?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    DATABASE_URL: inject('databaseUrl'),
    TETHER_DATA_DIR: mkdtempSync(join(tmpdir(), 'tether-it-')),
    TETHER_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    TETHER_MASTER_KEYS: MASTER_KEY,
    LOG_LEVEL: 'info',
    ...(process.env.TETHER_DATABASE_POOL_SIZE ? { TETHER_DATABASE_POOL_SIZE: process.env.TETHER_DATABASE_POOL_SIZE } : {}),
    ...(process.env.TETHER_FLEET_NOTIFY ? { TETHER_FLEET_NOTIFY: process.env.TETHER_FLEET_NOTIFY } : {}),
    TETHER_AWS_PRINCIPAL_ARN: `${PLATFORM.awsPrincipal},${PLATFORM.awsCnPrincipal}`,
    TETHER_ALIYUN_ACCOUNT_ID: PLATFORM.aliyunAccountId,
    TETHER_TENCENT_UIN: PLATFORM.tencentUin,
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = await createApp(config, createLogger(config.logLevel, sink));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const http = request.agent(app.getHttpServer());
  let counter = 0;

  return {
    app,
    config,
    http,
    logs,
    async workspace() {
      const name = `ws_${randomBytes(6).toString('hex')}`;
      const response = await http.post('/workspaces').set('authorization', `Bearer ${BOOTSTRAP_TOKEN}`).send({ name });
      if (response.status !== 201) throw new Error(`workspace creation failed: ${response.status} ${response.text}`);
      return response.body as { id: string; name: string; adminToken: string };
    },
    async token(adminToken, role, extra = {}) {
      counter += 1;
      const response = await http
        .post('/tokens')
        .set('authorization', `Bearer ${adminToken}`)
        .send({ name: `${role}_${counter}_${randomBytes(3).toString('hex')}`, role, ...extra });
      if (response.status !== 201) throw new Error(`token creation failed: ${response.status} ${response.text}`);
      return (response.body as { token: string }).token;
    },
    async close() {
      await app.close();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
