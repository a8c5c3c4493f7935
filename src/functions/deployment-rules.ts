import { checkFunctionName, CloudProvider } from '../cloud-identifiers';
import type { FieldError } from '../common/problem/tether-error';

interface CloudFunctionRules {
  /** How the cloud's documentation names the service, for messages. */
  service: string;
  memory: { min: number; max: number; step?: number; hint: string };
  timeout: { min: number; max: number };
  runtime: RegExp;
  runtimeExample: string;
  handlerMaxLength: number;
}

/**
 * Each cloud's documented bounds for a function's settings, checked before any call so a typo
 * answers a 400 naming the field instead of a round trip. Which runtimes exist changes too often
 * to list: only their spelling is checked here, and the cloud's refusal names the field.
 */
export const FUNCTION_RULES: Readonly<Record<CloudProvider, CloudFunctionRules>> = {
  // Lambda: 128-10240 MB in 1 MB steps, at most 15 minutes, handlers up to 128 characters.
  aws: { service: 'Lambda', memory: { min: 128, max: 10240, hint: '128 to 10240 MB' }, timeout: { min: 1, max: 900 }, runtime: /^[a-z][a-z0-9.]{1,39}$/, runtimeExample: 'python3.12, nodejs20.x, java21, provided.al2023', handlerMaxLength: 128 },
  // FC 2.0: 128-32768 MB in 64 MB steps, event functions up to 24 hours.
  aliyun: { service: 'Function Compute', memory: { min: 128, max: 32768, step: 64, hint: '128 to 32768 MB, a multiple of 64' }, timeout: { min: 1, max: 86400 }, runtime: /^[a-z][a-z0-9.-]{1,39}$/, runtimeExample: 'python3.10, nodejs18, custom.debian10', handlerMaxLength: 128 },
  // SCF: 64 MB, then 128-3072 MB in 128 MB steps, at most 900 s, handlers up to 60 characters.
  tencent: { service: 'SCF', memory: { min: 64, max: 3072, step: 128, hint: '64, or 128 to 3072 MB in steps of 128' }, timeout: { min: 1, max: 900 }, runtime: /^[A-Za-z][A-Za-z0-9.]{1,39}$/, runtimeExample: 'Python3.9, Nodejs18.15, Go1', handlerMaxLength: 60 },
};

/** Environment variable names every cloud accepts. */
export const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface FunctionSettingsInput {
  functionName: string;
  runtime: string;
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
}

/** The fields of a deploy that the connection's cloud would refuse, each with what to send instead. */
export function checkFunctionSettings(provider: CloudProvider, input: FunctionSettingsInput): FieldError[] {
  const rules = FUNCTION_RULES[provider];
  const errors: FieldError[] = [];
  const name = checkFunctionName(provider, input.functionName);
  if (!name.ok) errors.push({ field: 'function', message: name.message });
  if (!rules.runtime.test(input.runtime)) errors.push({ field: 'runtime', message: `is not a ${rules.service} runtime name (e.g. ${rules.runtimeExample})` });
  if (input.handler.length > rules.handlerMaxLength) errors.push({ field: 'handler', message: `must be at most ${rules.handlerMaxLength} characters on ${rules.service}` });
  const { memory, timeout } = rules;
  const offStep = memory.step !== undefined && input.memoryMb !== memory.min && input.memoryMb % memory.step !== 0;
  if (input.memoryMb < memory.min || input.memoryMb > memory.max || offStep) errors.push({ field: 'memoryMb', message: `must be ${memory.hint} on ${rules.service}` });
  if (input.timeoutSeconds < timeout.min || input.timeoutSeconds > timeout.max) errors.push({ field: 'timeoutSeconds', message: `must be ${timeout.min} to ${timeout.max} seconds on ${rules.service}` });
  return errors;
}
