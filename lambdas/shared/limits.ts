/** 5 MiB: the largest request body an App API accepts, at the gateway (AWS and local) and in the handler. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * Lambda's synchronous invocation payload: the REST proxy event as JSON, the body escaped inside it.
 * A JSON body grows by its escaping (every `"` and `\` doubles), so a body under 5 MiB can still
 * exceed it; Lambda then refuses the invocation and API Gateway answers 500.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html
 */
export const MAX_INVOCATION_PAYLOAD_BYTES = 6_291_556;
