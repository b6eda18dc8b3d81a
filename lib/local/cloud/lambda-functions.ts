import { resolveLocally } from './intrinsics';
import type { TemplateResource } from './stack-resources';

/** A function's configuration as the template has it: what the runtime sees of it locally. */
export interface FunctionConfiguration {
  readonly logicalId: string;
  /** The bundle's entry, e.g. `handler.handler`. */
  readonly handler: string;
  /** Lambda's timeout: the deadline `context.getRemainingTimeInMillis()` counts down from. */
  readonly timeoutMs: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * Lambda's defaults when the template leaves Timeout or MemorySize out.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html
 */
const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_MB = 128;

/**
 * The configuration of one AWS::Lambda::Function, its environment variables resolved with local
 * values; a variable that cannot be resolved locally is refused, naming the function and variable.
 */
export function functionConfiguration(fn: TemplateResource): FunctionConfiguration {
  const properties = fn.properties as { Handler?: string; Timeout?: number | string; MemorySize?: number | string; Environment?: { Variables?: Record<string, unknown> } };
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(properties.Environment?.Variables ?? {})) {
    environment[name] = String(resolveLocally(value, `Function ${fn.logicalId} variable ${name}`));
  }
  return {
    logicalId: fn.logicalId,
    handler: String(properties.Handler),
    timeoutMs: Number(properties.Timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    memoryMb: Number(properties.MemorySize ?? DEFAULT_MEMORY_MB),
    environment,
  };
}

/**
 * The Lambda context a local invocation gets: its remaining time counts down from the function's
 * timeout from the template, as Lambda's does, with its memory and name. A class, so that a
 * request creates no function of its own for it.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
 */
export function localInvocationContext(config: FunctionConfiguration, requestId: string): LocalInvocationContext {
  return new LocalInvocationContext(config.logicalId, String(config.memoryMb), requestId, performance.now() + config.timeoutMs);
}

export class LocalInvocationContext {
  constructor(
    readonly functionName: string,
    readonly memoryLimitInMB: string,
    readonly awsRequestId: string,
    private readonly end: number,
  ) {}

  getRemainingTimeInMillis(): number {
    return Math.max(0, Math.round(this.end - performance.now()));
  }
}
