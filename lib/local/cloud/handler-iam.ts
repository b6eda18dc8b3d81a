import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDbRequests } from './dynamodb-iam';
import { evaluate, type PolicyDocument } from './iam';

/**
 * One handler's identity: its role's ARN and the policies attached to it, as the template has them
 * (plain JSON: read from the stack by lib/local/cloud/role-identities.ts).
 */
export interface HandlerIdentity {
  readonly roleArn: string;
  readonly policies: readonly PolicyDocument[];
  /** Where its tables' ARNs point: the stack's account and region when known, else local values. */
  readonly where: { readonly partition: string; readonly region: string; readonly account: string };
}

/**
 * A document client whose every call is first authorized as IAM would authorize the handler's
 * role, and refused as DynamoDB refuses it: AccessDeniedException, HTTP 400, naming principal,
 * action and resource (the runtime then answers exactly as it does in AWS).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CommonErrors.html
 */
export function authorizedClient(client: DynamoDBDocumentClient, identity: HandlerIdentity, functionName: string): DynamoDBDocumentClient {
  const { where } = identity;
  // a decision depends on the action and resource alone (the role's policies are fixed): kept, not re-evaluated per call
  const decisions = new Map<string, ReturnType<typeof evaluate>>();
  const decide = (request: { action: string; resource: string }) => {
    const key = `${request.action}\0${request.resource}`;
    let decision = decisions.get(key);
    if (decision === undefined) {
      decision = evaluate(identity.policies, request);
      if (decisions.size < 1_000) decisions.set(key, decision);
    }
    return decision;
  };
  // a call naming one table (GetItem, Query…) makes the same IAM requests every time: kept per command, table and index
  const singleTableRequests = new Map<string, ReturnType<typeof dynamoDbRequests>>();
  const requestsOf = (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
    const { input } = command;
    if (typeof input.TableName !== 'string' || input.TransactItems !== undefined) return dynamoDbRequests({ operation: command.constructor.name.replace(/Command$/, ''), input }, where);
    const key = `${command.constructor.name}\0${input.TableName}\0${typeof input.IndexName === 'string' ? input.IndexName : ''}`;
    let requests = singleTableRequests.get(key);
    if (requests === undefined) {
      requests = dynamoDbRequests({ operation: command.constructor.name.replace(/Command$/, ''), input }, where);
      if (singleTableRequests.size < 1_000) singleTableRequests.set(key, requests);
    }
    return requests;
  };
  const send = async (command: { input: Record<string, unknown>; constructor: { name: string } }, ...rest: unknown[]): Promise<unknown> => {
    for (const request of requestsOf(command)) {
      const decision = decide(request);
      if (decision === 'allow') continue;
      const reason = decision === 'explicit-deny' ? 'with an explicit deny in an identity-based policy' : 'because no identity-based policy allows the ' + request.action + ' action';
      const principal = identity.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + `/${functionName}`;
      throw Object.assign(new Error(`User: ${principal} is not authorized to perform: ${request.action} on resource: ${request.resource} ${reason}`), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return (client.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
  };
  return new Proxy(client, { get: (target, property, receiver) => (property === 'send' ? send : Reflect.get(target, property, receiver)) });
}
