/** The parts of API Gateway's REST proxy event (payload v1) the runtime reads. */
export interface ProxyEvent {
  readonly httpMethod: string;
  readonly path?: string;
  readonly headers?: Record<string, string | undefined> | null;
  readonly multiValueHeaders?: Record<string, string[] | undefined> | null;
  readonly queryStringParameters?: Record<string, string | undefined> | null;
  readonly multiValueQueryStringParameters?: Record<string, string[] | undefined> | null;
  readonly pathParameters?: Record<string, string | undefined> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly resource?: string;
  readonly stageVariables?: Record<string, string> | null;
  readonly requestContext?: {
    readonly requestId?: string;
    readonly requestTimeEpoch?: number;
    readonly authorizer?: Record<string, unknown> | null;
    readonly resourcePath?: string;
    readonly httpMethod?: string;
    readonly path?: string;
    readonly stage?: string;
    readonly identity?: { readonly sourceIp?: string };
  };
}

export interface ProxyResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}
