import { INestApplication, PipeTransform, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { RequestAuthenticator, routeRuleOf } from '../auth/request-authenticator';
import { FrontDoor, FrontDoorRequest, FrontDoorRoute } from '../common/http/front-door';
import { andThen, PromiseOrValue } from '../common/promise-or-value';
import { CredentialsController } from './credentials.controller';
import { ordinaryCredentialsRequest } from './dto/credentials-request-shape';
import { IssueCredentialsRequest } from './dto/credentials.dto';

const BODY = { type: 'body', metatype: IssueCredentialsRequest, data: undefined } as const;

/**
 * The credentials routes, which other services call for every job, answered by the front door:
 * the controller's own methods, with the rule, path and status their decorators declare, after the
 * authenticator the guard calls. A body out of the ordinary goes through the global ValidationPipe,
 * so every refusal and its field errors come from the pipe.
 */
export function openCredentialsFrontDoor(app: INestApplication, door: FrontDoor, pipe: PipeTransform): void {
  const controller = app.get(CredentialsController);
  const authenticator = app.get(RequestAuthenticator);
  const reflector = app.get(Reflector);
  const route = (handler: (request: FrontDoorRequest) => PromiseOrValue<unknown>, method: (...args: never[]) => unknown): FrontDoorRoute => {
    const rule = routeRuleOf(reflector, method, CredentialsController);
    const verb = RequestMethod[Reflect.getMetadata(METHOD_METADATA, method) as RequestMethod] as 'GET' | 'POST';
    return {
      method: verb,
      template: `/${Reflect.getMetadata(PATH_METADATA, CredentialsController)}/${Reflect.getMetadata(PATH_METADATA, method)}`,
      // Nest's defaults where @HttpCode is absent.
      status: (Reflect.getMetadata(HTTP_CODE_METADATA, method) as number | undefined) ?? (verb === 'POST' ? 201 : 200),
      handle: (request) => andThen(authenticator.authorize(request, rule), () => handler(request)),
    };
  };
  door.add(
    route((request) => {
      const ordinary = ordinaryCredentialsRequest(request.body);
      const body = ordinary ?? (pipe.transform(request.body, BODY) as PromiseOrValue<IssueCredentialsRequest>);
      return andThen(body, (valid) => controller.issue(request.auth!, request.params.id, valid));
    }, CredentialsController.prototype.issue),
  );
  door.add(route((request) => controller.container(request.auth!, request.params.id), CredentialsController.prototype.container));
}
