import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService, AuditTarget } from '../audit/audit.service';
import { AuthContext } from '../auth/auth-context';
import { streamBodyRequired } from '../common/http/stream-body';
import { TetherError } from '../common/problem/tether-error';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import { checkCodeKey, checkCodePrefix } from './code-key';
import { codeBucketOf, DeployableConnections } from './deployable-connections';
import { deploymentProblem } from './deployment-errors';
import { CodeListQuery, CodeObjectPage, CodePackageResponse } from './dto/code-packages.dto';
import { looksLikeZip, spoolPackage, tooLarge } from './package-spool';

const DEFAULT_LIST_LIMIT = 100;

/** Code packages in a connection's code bucket (S3, OSS, COS): uploads and listings. */
@Injectable()
export class CodePackagesService {
  private readonly limitBytes: number;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(DeployableConnections) private readonly targets: DeployableConnections,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(TETHER_CONFIG) config: TetherConfig,
  ) {
    this.limitBytes = config.http.codePackageLimitBytes;
  }

  /**
   * Streams a package into the code bucket. Everything that can be refused is refused before the
   * body is read; the body goes to a temporary file (hashed and counted on the way), then to the
   * cloud with its length and SHA-256. The file is removed whatever happens.
   */
  async upload(auth: AuthContext, idOrName: string, key: string, body: Readable | undefined, declaredBytes: number | undefined): Promise<CodePackageResponse> {
    const target: AuditTarget = { action: 'code.upload', targetType: 'code_package', detail: {} };
    return this.audited(auth, target, async () => {
      const check = checkCodeKey(key);
      if (!check.ok) throw TetherError.field('key', check.message);
      // Only a checked key enters the event: control characters would not survive jsonb.
      Object.assign(target, { targetId: key, detail: { key } });
      const { connection, codeBucket, credentials } = await this.targets.resolve(auth, idOrName, target, 'write');
      const bucket = codeBucketOf(connection);
      Object.assign(target.detail as object, { bucket });
      if (!body) throw streamBodyRequired();
      // A declared length above the limit is refused before a byte is read.
      if (declaredBytes !== undefined && declaredBytes > this.limitBytes) throw tooLarge(this.limitBytes);
      const spooled = await spoolPackage(body, this.limitBytes);
      try {
        if (!looksLikeZip(spooled.head)) throw new TetherError('code-package-not-zip', 'The body is not a zip file (it does not start with a zip signature); send the package as a .zip (or .jar) archive.');
        const creds = await credentials();
        await codeBucket
          .putObject(creds, { region: connection.region, bucket, key, body: createReadStream(spooled.path), size: spooled.size, sha256: spooled.sha256, contentType: 'application/zip' })
          .catch((error: unknown) => {
            throw deploymentProblem(error, { what: `bucket ${bucket}`, notFound: 'bucket' });
          });
        Object.assign(target.detail as object, { size: spooled.size, sha256: spooled.sha256 });
        return { key, size: spooled.size, sha256: spooled.sha256 };
      } finally {
        await spooled.dispose();
      }
    });
  }

  async list(auth: AuthContext, idOrName: string, query: CodeListQuery): Promise<CodeObjectPage> {
    if (query.prefix !== undefined) {
      const check = checkCodePrefix(query.prefix);
      if (!check.ok) throw TetherError.field('prefix', check.message);
    }
    const { connection, codeBucket, credentials } = await this.targets.resolve(auth, idOrName, { action: 'code.list', targetType: 'code_package' }, 'read');
    const bucket = codeBucketOf(connection);
    const page = await codeBucket
      .listObjects(await credentials(), { region: connection.region, bucket, limit: query.limit ?? DEFAULT_LIST_LIMIT, ...(query.prefix ? { prefix: query.prefix } : {}), ...(query.cursor ? { next: query.cursor } : {}) })
      .catch((error: unknown) => {
        throw deploymentProblem(error, { what: `bucket ${bucket}`, notFound: 'bucket' });
      });
    return {
      items: page.objects.map((o) => ({ key: o.key, size: o.size, lastModified: o.lastModified ? o.lastModified.toISOString() : null })),
      nextCursor: page.next ?? null,
    };
  }

  /** Runs an upload, then writes its event on its own: the upload changes no row of Tether's. */
  private async audited<T>(auth: AuthContext, target: AuditTarget, work: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await this.audit.recordFailure(auth, target, error);
      throw error;
    }
    await this.dataSource.transaction((manager) => this.audit.record(manager, auth, target));
    return result;
  }
}
