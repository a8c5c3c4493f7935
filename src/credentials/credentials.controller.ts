import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Allow, Auth } from '../auth/auth.decorators';
import { AuthContext } from '../auth/auth-context';
import { ProblemResponses } from '../common/problem/problem.decorators';
import { andThen, PromiseOrValue } from '../common/promise-or-value';
import { CONNECTION_ID_PARAM } from '../connections/connections.controller';
import { IssuedCredentials } from '../providers';
import { BrokeredCredentials, CredentialBroker } from './credential-broker';
import { ContainerCredentialsResponse, CredentialsResponse, IssueCredentialsRequest } from './dto/credentials.dto';

/** A cached credential is handed out many times a second: its expiration is formatted once. */
const isoTimes = new WeakMap<Date, string>();
function isoTime(date: Date): string {
  let text = isoTimes.get(date);
  if (text === undefined) isoTimes.set(date, (text = date.toISOString()));
  return text;
}

function sameAnswer(answer: Readonly<CredentialsResponse>, result: BrokeredCredentials): boolean {
  return (
    answer.provider === result.connection.provider &&
    answer.region === result.connection.region &&
    answer.cached === result.cached &&
    answer.durationSeconds === result.durationSeconds &&
    answer.durationCappedReason === result.durationCappedReason
  );
}

@ApiTags('credentials')
@ApiBearerAuth()
@Controller('connections')
export class CredentialsController {
  /** The last answer without notes per cached credentials, handed out again while nothing in it differs. */
  private readonly repeats = new WeakMap<IssuedCredentials, Readonly<CredentialsResponse>>();

  constructor(@Inject(CredentialBroker) private readonly broker: CredentialBroker) {}

  @Post(':id/credentials')
  @HttpCode(200)
  @Allow('admin', 'service')
  @ApiOperation({ summary: 'Short-lived credentials for the connection (cached; one STS call per key per lifetime across the fleet)' })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiOkResponse({ type: CredentialsResponse })
  @ProblemResponses(400, 401, 403, 404, 409, 422, 429, 502)
  issue(@Auth() auth: AuthContext, @Param('id') id: string, @Body() body: IssueCredentialsRequest): PromiseOrValue<CredentialsResponse> {
    // A cache hit is answered without a promise (the front door serves it; Nest takes either).
    return andThen(this.broker.issue(auth, id, body), (result) => {
      const { credentials, connection } = result;
      const repeat = this.repeats.get(credentials);
      if (repeat && result.notes.length === 0 && sameAnswer(repeat, result)) return repeat;
      const response: CredentialsResponse = {
        provider: connection.provider,
        region: connection.region,
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey.reveal(),
        sessionToken: credentials.sessionToken?.reveal() ?? '',
        expiration: isoTime(credentials.expiration),
        cached: result.cached,
        durationSeconds: result.durationSeconds,
      };
      if (result.durationCappedReason) response.durationCappedReason = result.durationCappedReason;
      if (result.notes.length > 0) return Object.assign(response, { notes: result.notes });
      // Without notes the answer is the same for every hit on these credentials: one frozen object,
      // which the front door serialises once.
      this.repeats.set(credentials, Object.freeze(response));
      return response;
    });
  }

  @Get(':id/credentials/container')
  @Allow('admin', 'service')
  @ApiOperation({
    summary: 'The same credentials in the AWS container-credentials format: set AWS_CONTAINER_CREDENTIALS_FULL_URI to this URL and AWS_CONTAINER_AUTHORIZATION_TOKEN to a service token',
  })
  @ApiParam(CONNECTION_ID_PARAM)
  @ApiOkResponse({ type: ContainerCredentialsResponse })
  @ProblemResponses(401, 403, 404, 409, 422, 429, 502)
  container(@Auth() auth: AuthContext, @Param('id') id: string): PromiseOrValue<ContainerCredentialsResponse> {
    return andThen(this.broker.issue(auth, id, {}), ({ credentials }) => {
      const account = credentials.assumedRoleArn?.split(':')[4];
      return {
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey.reveal(),
        Token: credentials.sessionToken?.reveal() ?? '',
        // RFC 3339 without milliseconds, as the ECS agent writes it.
        Expiration: isoTime(credentials.expiration).replace(/\.\d{3}Z$/, 'Z'),
        ...(account && /^\d{12}$/.test(account) ? { AccountId: account } : {}),
      };
    });
  }
}
