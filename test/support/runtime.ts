import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppDeclaration } from '../../lib';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import { createHandler, type Handler } from '../../lambdas/runtime/create-handler';
import { createDocumentClient } from '../../lambdas/runtime/dynamodb';
import type { ProxyEvent, ProxyResult } from '../../lambdas/runtime/proxy-event';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../lib/local/dynamodb-local';
import { ensureTables } from '../../lib/local/tables';
import { environmentStack } from './cdk';

export interface RequestOptions {
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** Sent as JSON unless it is a string. */
  readonly body?: unknown;
  readonly keyId?: string;
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: any;
}

/**
 * The handler runtime of some declarations on a fresh DynamoDB Local: the same code the Lambda
 * runs, called with REST proxy events, one handler per route created once (as at cold start).
 */
export class RuntimeHarness {
  readonly documents: DynamoDBDocumentClient;
  private readonly handlers = new Map<string, Handler>();
  private requests = 0;

  private constructor(
    readonly manifest: EnvironmentManifest,
    private readonly dynamo: DynamoDbLocal,
  ) {
    this.documents = createDocumentClient(dynamo.endpoint);
  }

  static async start(apps: readonly AppDeclaration[]): Promise<RuntimeHarness> {
    const manifest = environmentStack(apps).manifest;
    const dynamo = await startDynamoDbLocal();
    await ensureTables(dynamo.client(), manifest);
    return new RuntimeHarness(manifest, dynamo);
  }

  async call(routeId: string, options: RequestOptions = {}): Promise<Answer> {
    const route = this.manifest.routes.find((candidate) => candidate.id === routeId)!;
    let handler = this.handlers.get(routeId);
    if (!handler) {
      handler = createHandler(this.manifest, routeId, this.documents);
      this.handlers.set(routeId, handler);
    }
    this.requests += 1;
    const body = options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const event: ProxyEvent = {
      httpMethod: route.method,
      path: route.path.replace(/\{(\w+)\}/g, (_, name: string) => options.params?.[name] ?? ''),
      headers: { ...(body === null ? {} : { 'Content-Type': 'application/json' }), ...options.headers },
      queryStringParameters: options.query ?? null,
      pathParameters: options.params ?? null,
      body,
      isBase64Encoded: false,
      requestContext: {
        requestId: `test-${this.requests}`,
        requestTimeEpoch: Date.now(),
        authorizer: options.keyId ? { principalId: options.keyId, keyName: options.keyId, groups: 'partners,ops' } : null,
      },
    };
    return parse(await handler(event));
  }

  /** Every item of a table, internal items included, for checking what was (not) written. */
  async items(table: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(new ScanCommand({ TableName: table, ConsistentRead: true, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async stop(): Promise<void> {
    this.documents.destroy();
    await this.dynamo.stop();
  }
}

function parse(result: ProxyResult): Answer {
  const json = /json/.test(result.headers['Content-Type'] ?? '') && result.body !== '';
  return { status: result.statusCode, headers: result.headers, body: json ? JSON.parse(result.body) : result.body };
}
