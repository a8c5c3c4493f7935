import { describe, expect, it } from 'vitest';
import { TetherError } from '../common/problem/tether-error';
import { ProviderError, ProviderErrorKind } from '../providers/provider-error';
import { deploymentProblem, fieldOfRefusal } from './deployment-errors';

const refusal = (kind: ProviderErrorKind, message: string, cloudCode = 'SomeCode') => new ProviderError({ kind, provider: 'aws', operation: 'lambda:CreateFunction', message, cloudCode, requestId: 'req-1' });
const context = { what: 'function score in us-east-1', notFound: 'package' as const, executionRoleArn: 'arn:aws:iam::222222222222:role/udf-exec' };

describe('fieldOfRefusal', () => {
  it.each([
    ['runtime python2.7 is not supported', 'runtime'],
    ['handler must match [^\\s]+', 'handler'],
    ['memorySize must be at least 128', 'memoryMb'],
    ['timeout must be at most 900', 'timeoutSeconds'],
    ['Environment variables exceed 4 KB', 'environment'],
    ['The role defined for the function cannot be assumed by Lambda.', 'functions.executionRoleArn'],
    ['Could not unzip uploaded file', 'code.key'],
    ['handler is not valid for runtime nodejs20.x', 'handler'],
  ])('%s -> %s', (message, field) => {
    expect(fieldOfRefusal({ message, cloudMessage: undefined })).toBe(field);
  });

  it('names nothing when no word fits', () => {
    expect(fieldOfRefusal({ message: 'something odd', cloudMessage: undefined })).toBeUndefined();
  });
});

describe('deploymentProblem', () => {
  it('names the execution role when PassRole is refused, keeping the cloud\'s code and request id', () => {
    const problem = deploymentProblem(refusal('access_denied', 'User is not authorized to perform: iam:PassRole on resource udf-exec', 'AccessDeniedException'), context) as TetherError;
    expect(problem.code).toBe('cloud-permission-missing');
    expect(problem.status).toBeLessThan(500);
    expect(problem.extras).toMatchObject({ cloudCode: 'AccessDeniedException', cloudRequestId: 'req-1', errors: [{ field: 'functions.executionRoleArn', message: expect.stringContaining(context.executionRoleArn) }] });
  });

  it('maps a missing package to code.key, conflicts to 409 and quotas to 422', () => {
    expect((deploymentProblem(refusal('not_found', 'NoSuchKey'), context) as TetherError).extras.errors).toEqual([{ field: 'code.key', message: expect.any(String) }]);
    expect((deploymentProblem(refusal('conflict', 'update in progress'), context) as TetherError).status).toBe(409);
    expect((deploymentProblem(refusal('quota_exceeded', 'code storage exceeded'), context) as TetherError).status).toBe(422);
    expect((deploymentProblem(refusal('not_found', 'no function'), { ...context, notFound: 'function' }) as TetherError).code).toBe('function-not-found');
  });

  it('leaves errors that are not the cloud\'s alone', () => {
    const error = new Error('boom');
    expect(deploymentProblem(error, context)).toBe(error);
  });
});
