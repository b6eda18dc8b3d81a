/**
 * IAM's decision for one request against identity-based policies of one principal, for the
 * policies this project synthesizes: Allow and Deny statements with Action and Resource.
 * An explicit Deny wins over any Allow; without a matching Allow the request is denied.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 *
 * Elements this evaluator does not implement (Condition, NotAction, NotResource, Principal) are
 * refused with an error rather than ignored: ignoring one would make a decision look safe that IAM
 * could take differently.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly [element: string]: unknown;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** One action on one resource, as IAM authorizes it. */
export interface IamRequest {
  /** e.g. `dynamodb:GetItem` */
  readonly action: string;
  /** The resource's ARN. */
  readonly resource: string;
}

export type IamDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

export class UnsupportedPolicyError extends Error {
  constructor(statement: PolicyStatement, element: string) {
    super(`IAM statement ${statement.Sid ?? '(no Sid)'} uses ${element}, which this evaluator does not implement; extend lib/local/cloud/iam.ts before relying on it.`);
    this.name = 'UnsupportedPolicyError';
  }
}

const SUPPORTED = new Set(['Sid', 'Effect', 'Action', 'Resource']);

export function evaluate(documents: readonly PolicyDocument[], request: IamRequest): IamDecision {
  let allowed = false;
  for (const statement of documents.flatMap((document) => statementsOf(document))) {
    if (!matches(statement, request)) continue;
    if (statement.Effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

export function isAllowed(documents: readonly PolicyDocument[], request: IamRequest): boolean {
  return evaluate(documents, request) === 'allow';
}

/** The statements of a document, each checked to use only the elements implemented here. */
export function statementsOf(document: PolicyDocument): readonly PolicyStatement[] {
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement as PolicyStatement];
  for (const statement of statements) {
    for (const element of Object.keys(statement)) if (!SUPPORTED.has(element)) throw new UnsupportedPolicyError(statement, element);
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') throw new UnsupportedPolicyError(statement, `Effect ${JSON.stringify(statement.Effect)}`);
    if (statement.Action === undefined) throw new UnsupportedPolicyError(statement, 'no Action');
    if (statement.Resource === undefined) throw new UnsupportedPolicyError(statement, 'no Resource');
    for (const value of [...list(statement.Action), ...list(statement.Resource)]) {
      if (typeof value !== 'string') throw new UnsupportedPolicyError(statement, `a value that is not a string (${JSON.stringify(value)}): resolve CloudFormation intrinsics first`);
    }
  }
  return statements;
}

function matches(statement: PolicyStatement, request: IamRequest): boolean {
  return list(statement.Action).some((pattern) => actionMatches(pattern, request.action)) && list(statement.Resource).some((pattern) => arnMatches(pattern, request.resource));
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value as string];
}

/**
 * Actions compare case-insensitively; `*` stands for any characters, `?` for one.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 */
export function actionMatches(pattern: string, action: string): boolean {
  const source = [...pattern].map((character) => (character === '*' ? '.*' : character === '?' ? '.' : escape(character))).join('');
  return new RegExp(`^${source}$`, 'i').test(action);
}

/**
 * Resource ARNs compare case-sensitively. Wildcards stay within a colon-separated segment, except a
 * `*` that ends a segment, which may match beyond its colons; within a segment `*` also spans `/`
 * (`table/orders/index/*`).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const characters = [...pattern];
  const source = characters
    .map((character, index) => {
      if (character === '?') return '[^:]';
      if (character !== '*') return escape(character);
      const endsSegment = index === characters.length - 1 || characters[index + 1] === ':';
      return endsSegment ? '.*' : '[^:]*';
    })
    .join('');
  return new RegExp(`^${source}$`).test(arn);
}

function escape(character: string): string {
  return character.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
