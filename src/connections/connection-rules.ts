import {
  awsPartitionOfRegion,
  checkAwsPartitionMatchesRegion,
  checkBucketName,
  checkNamespace,
  checkRegion,
  checkSessionName,
  CloudProvider,
  parseRoleArn,
  RoleRef,
} from '../cloud-identifiers';
import { FieldError } from '../common/problem/tether-error';
import { requiresExecutionRole } from '../trust-policies/render';
import type { FunctionSettings } from './connection.entity';
import type { ConnectionAuthDto, FunctionSettingsDto } from './dto/connection-request.dto';

/** Fields each auth type accepts; anything else given is a mistake worth naming. */
const AUTH_FIELDS = {
  assume_role: ['roleArn', 'sessionName'],
  access_key: ['accessKeyId', 'secretAccessKey', 'sessionToken'],
  platform: ['roleArn', 'sessionName'],
} as const;

/**
 * The provider-specific rules of a connection that class-validator cannot express: formats per
 * cloud and partition, which fields go with which auth type. Returns every problem at once.
 */
export function checkConnection(provider: CloudProvider, region: string, auth: ConnectionAuthDto | undefined, functions: FunctionSettingsDto | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const regionCheck = checkRegion(provider, region);
  if (!regionCheck.ok) errors.push({ field: 'region', message: regionCheck.message });
  if (auth) errors.push(...checkAuth(provider, region, auth));
  if (functions) errors.push(...checkFunctions(provider, region, functions));
  else if (provider === 'tencent') errors.push({ field: 'functions.namespace', message: 'is required for Tencent Cloud: give the SCF namespace, such as default' });
  return errors;
}

function checkAuth(provider: CloudProvider, region: string, auth: ConnectionAuthDto): FieldError[] {
  const errors: FieldError[] = [];
  const allowed: readonly string[] = AUTH_FIELDS[auth.type];
  for (const field of ['roleArn', 'sessionName', 'accessKeyId', 'secretAccessKey', 'sessionToken'] as const) {
    if (auth[field] !== undefined && !allowed.includes(field)) {
      const hint = auth.type === 'access_key' ? 'access_key and assume_role are never combined; drop it or use type assume_role' : `it belongs to access_key; drop it or use type access_key`;
      errors.push({ field: `auth.${field}`, message: `is not allowed with type ${auth.type}: ${hint}` });
    }
  }
  if (auth.type === 'assume_role' && auth.roleArn === undefined) errors.push({ field: 'auth.roleArn', message: 'is required for assume_role' });
  if (auth.roleArn !== undefined && allowed.includes('roleArn')) errors.push(...checkRoleArn('auth.roleArn', provider, region, auth.roleArn));
  if (auth.sessionName !== undefined && allowed.includes('sessionName')) {
    const check = checkSessionName(provider, auth.sessionName);
    if (!check.ok) errors.push({ field: 'auth.sessionName', message: check.message });
  }
  if (auth.type === 'access_key') {
    if (auth.accessKeyId === undefined) errors.push({ field: 'auth.accessKeyId', message: 'is required for access_key' });
    if (auth.secretAccessKey === undefined) errors.push({ field: 'auth.secretAccessKey', message: 'is required for access_key: give {"secret": "<name>"} or {"value": "..."}' });
    for (const field of ['secretAccessKey', 'sessionToken'] as const) {
      const ref = auth[field];
      if (ref && (ref.secret === undefined) === (ref.value === undefined)) {
        errors.push({ field: `auth.${field}`, message: 'must have exactly one of secret (a secret\'s name) or value' });
      }
    }
  }
  return errors;
}

export function checkRoleArn(field: string, provider: CloudProvider, region: string, arn: string): FieldError[] {
  const parsed = parseRoleArn(provider, arn);
  if (!parsed.ok) return [{ field, message: parsed.message }];
  if (provider === 'aws' && parsed.value.partition && awsPartitionOfRegion(region)) {
    const partition = checkAwsPartitionMatchesRegion(parsed.value.partition, region);
    if (!partition.ok) return [{ field, message: partition.message }];
  }
  return [];
}

function checkFunctions(provider: CloudProvider, region: string, functions: FunctionSettingsDto): FieldError[] {
  const errors: FieldError[] = [];
  if (functions.namespace !== undefined || provider === 'tencent') {
    const check = checkNamespace(provider, functions.namespace);
    if (!check.ok) errors.push({ field: 'functions.namespace', message: check.message });
  }
  if (functions.codeBucket !== undefined) {
    const check = checkBucketName(provider, functions.codeBucket);
    if (!check.ok) errors.push({ field: 'functions.codeBucket', message: check.message });
  }
  const capabilities = functions.capabilities ?? ['invoke'];
  if (!capabilities.includes('invoke')) errors.push({ field: 'functions.capabilities', message: 'must include invoke: ["invoke"] or ["invoke", "deploy"]' });
  if (functions.executionRoleArn !== undefined) errors.push(...checkRoleArn('functions.executionRoleArn', provider, region, functions.executionRoleArn));
  if (capabilities.includes('deploy') && requiresExecutionRole(provider) && functions.executionRoleArn === undefined) {
    errors.push({ field: 'functions.executionRoleArn', message: 'is required to deploy Lambda functions: give the role they run as (Tether grants iam:PassRole on that role only)' });
  }
  for (const [index, rule] of (functions.egress ?? []).entries()) {
    const port = Number(rule.slice(rule.lastIndexOf(':') + 1));
    if (port < 1 || port > 65535) errors.push({ field: `functions.egress.${index}`, message: 'has a port outside 1-65535' });
  }
  return errors;
}

/** The stored form of function settings, with defaults filled in. */
export function toFunctionSettings(dto: FunctionSettingsDto | undefined): FunctionSettings {
  return {
    ...(dto?.namespace !== undefined ? { namespace: dto.namespace } : {}),
    ...(dto?.codeBucket !== undefined ? { codeBucket: dto.codeBucket } : {}),
    capabilities: dto?.capabilities ?? ['invoke'],
    ...(dto?.executionRoleArn !== undefined ? { executionRoleArn: dto.executionRoleArn } : {}),
    egress: dto?.egress ?? [],
  };
}

/** The parsed role of a connection; callers have validated it at write time. */
export function roleOf(provider: CloudProvider, roleArn: string): RoleRef {
  const parsed = parseRoleArn(provider, roleArn);
  if (!parsed.ok) throw new Error(`stored role ARN no longer parses: ${parsed.message}`);
  return parsed.value;
}
