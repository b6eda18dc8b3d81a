import type { APIGatewayEventIdentity, APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

type EventContext = APIGatewayProxyEvent['requestContext'];

/**
 * API Gateway's REST proxy event (payload v1), as @types/aws-lambda defines it, with what the
 * runtime does not read made optional: the local gateway and tests build no more than that.
 * A request without headers has `null` for them, as for query and path parameters.
 */
export type ProxyEvent = Pick<APIGatewayProxyEvent, 'httpMethod'> &
  Partial<Omit<APIGatewayProxyEvent, 'httpMethod' | 'requestContext' | 'headers' | 'multiValueHeaders'>> & {
    readonly headers?: APIGatewayProxyEvent['headers'] | null;
    readonly multiValueHeaders?: APIGatewayProxyEvent['multiValueHeaders'] | null;
    readonly requestContext?: Partial<Omit<EventContext, 'identity'>> & { readonly identity?: Partial<APIGatewayEventIdentity> };
  };

/** A handler's answer: API Gateway's proxy result, with string headers (which every answer has). */
export interface ProxyResult extends APIGatewayProxyResult {
  readonly headers: Record<string, string>;
}
