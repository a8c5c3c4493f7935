import { Body, Controller, HttpCode, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createValidationPipe } from '../src/common/http/validation';
import { IssueCredentialsRequest } from '../src/credentials/dto/credentials.dto';

/**
 * The frameworks Tether runs on, answering the same JSON with nothing of Tether's own: what the
 * credentials route could reach at best. Fastify alone, then NestJS on Fastify with the same
 * global ValidationPipe and request DTO (no guard, no broker, no hooks).
 */
export async function startFrameworkFloors(answer: string): Promise<{ fastifyUrl: string; nestUrl: string; close(): Promise<void> }> {
  const parsed = JSON.parse(answer) as Record<string, unknown>;

  const plain = new FastifyAdapter();
  plain.getInstance().post('/connections/:id/credentials', async () => parsed);
  await plain.listen(0, '127.0.0.1');
  const fastifyPort = (plain.getInstance().server.address() as { port: number }).port;

  @Controller('connections')
  class FloorController {
    @Post(':id/credentials')
    @HttpCode(200)
    issue(@Param('id') _id: string, @Body() _body: IssueCredentialsRequest): Record<string, unknown> {
      return parsed;
    }
  }
  @Module({ controllers: [FloorController] })
  class FloorModule {}
  const nest = await NestFactory.create<NestFastifyApplication>(FloorModule, new FastifyAdapter(), { logger: false });
  nest.useGlobalPipes(createValidationPipe());
  await nest.listen(0, '127.0.0.1');
  const nestUrl = (await nest.getUrl()).replace('[::1]', '127.0.0.1');

  return {
    fastifyUrl: `http://127.0.0.1:${fastifyPort}`,
    nestUrl,
    async close() {
      await nest.close();
      await plain.close();
    },
  };
}
