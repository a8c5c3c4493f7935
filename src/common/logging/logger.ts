import pino, { Logger } from 'pino';
import { LogLevel } from '../../config/load-config';

/**
 * Paths pino blanks out wherever they appear. Values wrapped in `Sensitive` are safe anyway;
 * this is the second fence for objects that reach a log line by accident.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-amz-security-token"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.value',
  '*.token',
  '*.adminToken',
  '*.password',
  '*.accessKeySecret',
  '*.securityToken',
  '*.tmpSecretKey',
];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tether' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
