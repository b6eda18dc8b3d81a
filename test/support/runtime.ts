import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppApiStack, AppDeclaration } from '../../lib';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import { createHandler, type Handler } from '../../lambdas/runtime/create-handler';
import { environmentStack } from './cdk';
import { TestDatabase, type FileTables } from './dynamo';
import { parseAnswer, proxyEventFor } from './proxy-events';

export interface RequestOptions {
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** Sent as JSON unless it is a string. */
  readonly body?: unknown;
  readonly keyId?: string;
  /** The key's groups, with `keyId`. @default ['partners', 'ops'] */
  readonly groups?: readonly string[];
}

/** One DynamoDB call a route's handler sent, as the document client received it. */
export interface ObservedDynamoCall {
  readonly routeId: string;
  /** The document client's command name without `Command`: Get, Put, Query, Scan, TransactWrite, … */
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
}

export interface HarnessOptions {
  /** The test file's tables (`tablesOf(__filename)`). */
  readonly tables: FileTables;
  /** Sees every DynamoDB call of every handler before it is sent. */
  readonly observe?: (call: ObservedDynamoCall) => void;
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: any;
}

/**
 * The handler runtime of some declarations on DynamoDB Local (the run's shared one, with tables of
 * their own): the same code the Lambda runs, called with REST proxy events, one handler per route
 * created once (as at cold start).
 */
export class RuntimeHarness {
  readonly documents: DynamoDBDocumentClient;
  private readonly handlers = new Map<string, Handler>();
  private requests = 0;

  readonly manifest: EnvironmentManifest;

  private constructor(
    /** The stack the declarations synthesize to, with this file's table names. */
    readonly stack: AppApiStack,
    private readonly database: TestDatabase,
    private readonly options: HarnessOptions,
  ) {
    this.manifest = stack.manifest;
    this.documents = database.documents;
  }

  static async start(apps: readonly AppDeclaration[], options: HarnessOptions): Promise<RuntimeHarness> {
    const stack = environmentStack(apps, options.tables.isolated);
    return new RuntimeHarness(stack, await TestDatabase.open(stack.manifest), options);
  }

  /** The client a route's handler gets: this file's, seen by `observe` when one is given. */
  private clientFor(routeId: string): DynamoDBDocumentClient {
    const observe = this.options.observe;
    if (!observe) return this.documents;
    const documents = this.documents;
    // the runtime only ever calls send()
    const send = (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      observe({ routeId, command: command.constructor.name.replace(/Command$/, ''), input: command.input });
      return documents.send(command as never);
    };
    return { send } as unknown as DynamoDBDocumentClient;
  }

  async call(routeId: string, options: RequestOptions = {}): Promise<Answer> {
    const route = this.manifest.routes.find((candidate) => candidate.id === routeId)!;
    let handler = this.handlers.get(routeId);
    if (!handler) {
      handler = createHandler(this.manifest, routeId, this.clientFor(routeId));
      this.handlers.set(routeId, handler);
    }
    this.requests += 1;
    return parseAnswer(await handler(proxyEventFor(route, options, `test-${this.requests}`)));
  }

  /** Every item of a table, internal items included, for checking what was (not) written. */
  items(table: string): Promise<Record<string, unknown>[]> {
    return this.database.items(table);
  }

  async stop(): Promise<void> {
    this.database.close();
  }
}
