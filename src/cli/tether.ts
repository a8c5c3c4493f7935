#!/usr/bin/env node
/**
 * `tether` — the command-line client of a Tether server.
 *
 *   tether credentials <connection> [--format process|json|env] [--duration <seconds>]
 *
 * Reads TETHER_URL (e.g. http://127.0.0.1:3000) and TETHER_TOKEN (a service or admin token) from
 * the environment. `--format process` prints the AWS `credential_process` JSON, so a profile can say
 * `credential_process = tether credentials udf_noah --format process`.
 */

const USAGE = `usage: tether credentials <connection> [--format process|json|env] [--duration <seconds>]

environment:
  TETHER_URL     base URL of the Tether server, e.g. http://127.0.0.1:3000
  TETHER_TOKEN   an API token granted the connection (service or admin)`;

type Format = 'process' | 'json' | 'env';

interface Parsed {
  connection: string;
  format: Format;
  durationSeconds?: number;
}

class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): Parsed {
  const [command, ...rest] = argv;
  if (command !== 'credentials') throw new UsageError(command ? `unknown command '${command}'` : 'no command given');
  let connection: string | undefined;
  let format: Format = 'json';
  let durationSeconds: number | undefined;
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i] as string;
    const [flag, inline] = arg.startsWith('--') ? (arg.split('=', 2) as [string, string | undefined]) : [arg, undefined];
    const value = () => {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--format') {
      const v = value();
      if (v !== 'process' && v !== 'json' && v !== 'env') throw new UsageError(`--format must be process, json or env, not '${v}'`);
      format = v;
    } else if (flag === '--duration') {
      const v = value();
      if (!/^\d+$/.test(v)) throw new UsageError('--duration must be a whole number of seconds');
      durationSeconds = Number(v);
    } else if (flag === '--help' || flag === '-h') {
      throw new UsageError('');
    } else if (flag.startsWith('-')) {
      throw new UsageError(`unknown option '${flag}'`);
    } else if (connection === undefined) {
      connection = arg;
    } else {
      throw new UsageError(`unexpected argument '${arg}'`);
    }
  }
  if (!connection) throw new UsageError('name the connection');
  return { connection, format, ...(durationSeconds !== undefined ? { durationSeconds } : {}) };
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
}

function render(format: Format, c: Credentials): string {
  switch (format) {
    case 'process':
      // clouds.md §7.2: Version must be the number 1; with no Expiration the SDK would never refresh.
      return JSON.stringify({ Version: 1, AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: c.expiration });
    case 'env':
      return [`export AWS_ACCESS_KEY_ID=${c.accessKeyId}`, `export AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}`, `export AWS_SESSION_TOKEN=${c.sessionToken}`].join('\n');
    case 'json':
      return JSON.stringify(c, null, 2);
  }
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let args: Parsed;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) process.stderr.write(`tether: ${error.message}\n`);
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  const base = env.TETHER_URL?.trim();
  const token = env.TETHER_TOKEN?.trim();
  if (!base || !token) {
    process.stderr.write('tether: set TETHER_URL and TETHER_TOKEN\n');
    return 2;
  }
  const url = `${base.replace(/\/+$/, '')}/connections/${encodeURIComponent(args.connection)}/credentials`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(args.durationSeconds !== undefined ? { durationSeconds: args.durationSeconds } : {}),
    });
  } catch (error) {
    process.stderr.write(`tether: cannot reach ${base}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const text = await response.text();
  if (!response.ok) {
    let detail = text;
    try {
      const problem = JSON.parse(text) as { title?: string; detail?: string };
      detail = [problem.title, problem.detail].filter(Boolean).join(': ');
    } catch {
      // not problem+json; print as is
    }
    process.stderr.write(`tether: ${response.status} ${detail}\n`);
    return 1;
  }
  const body = JSON.parse(text) as Credentials & { notes?: string[] };
  for (const note of body.notes ?? []) process.stderr.write(`tether: note: ${note}\n`);
  process.stdout.write(`${render(args.format, body)}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`tether: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
