import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias,
 * lib/constructs/lambda-asset.ts). Lambda gives a function its execution role's credentials in
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * which is where the SDK's default chain looks first and stops. Its other providers (SSO, shared
 * files, processes, web identity, container and instance metadata, with the STS and SSO clients
 * they need) never run in Lambda, yet the chain's module brings them into the bundle: 136 KB of
 * 377 KB in the authorizer, ~20 ms of CPU per cold start to parse. Local runs never use this file:
 * they load the SDK from node_modules and pass DynamoDB Local's credentials explicitly.
 * https://github.com/aws/aws-sdk-js-v3/issues/5516
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]): ReturnType<typeof fromEnv> => fromEnv(init);
