import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { createValidationPipe } from '../../common/http/validation';
import { ordinaryCredentialsRequest } from './credentials-request-shape';
import { IssueCredentialsRequest } from './credentials.dto';

const pipe = createValidationPipe();
const throughPipe = async (body: unknown): Promise<{ accepted: unknown } | { refused: unknown }> => {
  try {
    return { accepted: await pipe.transform(body, { type: 'body', metatype: IssueCredentialsRequest, data: undefined }) };
  } catch (error) {
    return { refused: error };
  }
};

const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::data/*', Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } } }] };

/** Bodies the route takes on its own, as the JSON parser hands them over. */
const ordinary: unknown[] = [
  undefined,
  {},
  { durationSeconds: 900 },
  { durationSeconds: 43200 },
  { durationSeconds: 1000 },
  { sessionPolicy: {} },
  { sessionPolicy: policy },
  { durationSeconds: 3600, sessionPolicy: policy },
  { sessionPolicy: { nested: [1, 'two', null, true, [{ deep: 1.5 }]] } },
];

/** Everything else: the ValidationPipe decides (and words the refusal). */
const other: unknown[] = [
  null,
  [],
  [{}],
  'text',
  0,
  true,
  { durationSeconds: 899 },
  { durationSeconds: 43201 },
  { durationSeconds: 900.5 },
  { durationSeconds: '900' },
  { durationSeconds: null },
  { durationSeconds: [] },
  { sessionPolicy: null },
  { sessionPolicy: [] },
  { sessionPolicy: 'Allow' },
  { sessionPolicy: 7 },
  { sessionPolicy: { constructor: 'x' } },
  { sessionPolicy: { Statement: [{ prototype: {} }] } },
  { surprise: true },
  { durationSeconds: 900, surprise: true },
  { durationseconds: 900 },
];

const parsed = (body: unknown) => (body === undefined ? undefined : JSON.parse(JSON.stringify(body)));

describe('ordinaryCredentialsRequest', () => {
  it.each(ordinary.map((body) => [JSON.stringify(body), body]))('takes %s and returns what the ValidationPipe returns', async (_, body) => {
    const own = ordinaryCredentialsRequest(parsed(body));
    expect(own).toBeInstanceOf(IssueCredentialsRequest);
    expect(await throughPipe(parsed(body))).toStrictEqual({ accepted: own });
  });

  it.each(other.map((body) => [JSON.stringify(body), body]))('leaves %s to the ValidationPipe', async (_, body) => {
    expect(ordinaryCredentialsRequest(parsed(body))).toBeUndefined();
  });
});
