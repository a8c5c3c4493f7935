import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';

@Controller()
class C { @Get('healthz') h() { return { ok: true }; } }
@Module({ controllers: [C] })
class M {}
async function main() {
  const app = await NestFactory.create<NestFastifyApplication>(M, new FastifyAdapter());
  await app.listen(3999, '127.0.0.1');
  const r = await fetch('http://127.0.0.1:3999/healthz'); console.log(await r.text());
  await app.close();
}
void main();
