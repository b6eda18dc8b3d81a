/**
 * Set by scripts/run-tests.ts for every test process: the endpoint of the DynamoDB Local it
 * started for the whole run (kept apart from ./dynamo so the runner loads no test hooks).
 */
export const DYNAMODB_ENDPOINT_VARIABLE = 'APPAPI_TEST_DYNAMODB_ENDPOINT';
