import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { GATEWAY_PROBLEMS, gatewayProblemBody, type GatewayProblem } from '../gateway-problems';
import { CONTENT_LENGTH_NOT_A_NUMBER, CONTENT_LENGTH_OVER_LIMIT } from '../payload-limit';

export interface PayloadLimitAclProps {
  readonly stage: apigateway.Stage;
  readonly environmentName: string;
  /**
   * The first part of the metric names, as of the environment's other names: CloudWatch keeps
   * AWS/WAFV2 metrics per account and region by these names, so two stacks of one environment
   * name under different prefixes must not share them.
   * @default 'appapi'
   */
  readonly resourcePrefix?: string;
}

// singleHeader is untyped in the L1 and passed through as written: CloudFormation spells it Name
const header = (name: string) => ({ singleHeader: { Name: name } });
const noTransformation = [{ priority: 0, type: 'NONE' }];
/**
 * The header was sent with a value. Size > 0 is AWS's own idiom for "the header exists and has a
 * value" (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rate-based-example-limit-missing-header.html).
 * Size >= 0 would lean entirely on how WAF treats an absent header: documented as "not matching"
 * (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-fields-list.html), but
 * if it were inspected as an empty component, size >= 0 would match every request. With > 0 the
 * answer is the same either way, and a header sent empty declares nothing, as if absent.
 */
const present = (name: string): wafv2.CfnWebACL.StatementProperty => ({
  sizeConstraintStatement: { fieldToMatch: header(name), comparisonOperator: 'GT', size: 0, textTransformations: noTransformation },
});
const methodIs = (method: string): wafv2.CfnWebACL.StatementProperty => ({
  byteMatchStatement: { fieldToMatch: { method: {} }, positionalConstraint: 'EXACTLY', searchString: method, textTransformations: noTransformation },
});

/**
 * The 5 MiB body limit in front of the stage. WAF sees only the first kilobytes of a body, so the
 * size is judged by Content-Length, and everything that could hide the size is refused: a
 * Content-Length that is not a number, a body-carrying method without one, chunked transfer, and
 * compressed bodies (API Gateway would inflate them past what the header said).
 *
 * WAF receives at most the first 8 KB and 200 headers
 * (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-fields-list.html): a
 * Content-Length sent after that is unseen. A POST, PUT or PATCH then gets 411, as if it had none;
 * any other method reaches the handler, whose byte count answers 413.
 */
export class PayloadLimitAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  /** The web ACL's CloudWatch metric name: the `WebACL` dimension of its AWS/WAFV2 metrics. */
  readonly metricName: string;
  /** Each rule's name and CloudWatch metric name (the `Rule` dimension). */
  readonly ruleMetrics: ReadonlyArray<{ readonly rule: string; readonly metricName: string }>;

  constructor(scope: Construct, id: string, props: PayloadLimitAclProps) {
    super(scope, id);
    const rules: Array<[string, GatewayProblem, wafv2.CfnWebACL.StatementProperty]> = [
      ['ContentLengthOverLimit', GATEWAY_PROBLEMS.payloadTooLarge, { regexMatchStatement: { fieldToMatch: header('content-length'), regexString: CONTENT_LENGTH_OVER_LIMIT, textTransformations: noTransformation } }],
      ['ContentLengthNotANumber', GATEWAY_PROBLEMS.badRequest, { regexMatchStatement: { fieldToMatch: header('content-length'), regexString: CONTENT_LENGTH_NOT_A_NUMBER, textTransformations: noTransformation } }],
      ['ChunkedBody', GATEWAY_PROBLEMS.lengthRequired, present('transfer-encoding')],
      [
        'BodyWithoutContentLength',
        GATEWAY_PROBLEMS.lengthRequired,
        { andStatement: { statements: [{ orStatement: { statements: ['POST', 'PUT', 'PATCH'].map(methodIs) } }, { notStatement: { statement: present('content-length') } }] } },
      ],
      ['CompressedBody', GATEWAY_PROBLEMS.contentEncodingUnsupported, present('content-encoding')],
    ];
    const bodies: Record<string, wafv2.CfnWebACL.CustomResponseBodyProperty> = {};
    for (const [name, problem] of rules) {
      // WAF answers with a fixed body: no request id, and Content-Type application/json
      bodies[name] = { contentType: 'APPLICATION_JSON', content: JSON.stringify(gatewayProblemBody(problem, 'see x-amzn-RequestId')) };
    }
    const metricPrefix = `${props.resourcePrefix ?? 'appapi'}-${props.environmentName}`;
    this.metricName = `${metricPrefix}-acl`;
    this.ruleMetrics = rules.map(([name]) => ({ rule: name, metricName: `${metricPrefix}-${name}` }));
    this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      scope: 'REGIONAL',
      description: `Request size rules of App APIs in ${props.environmentName}`,
      defaultAction: { allow: {} },
      customResponseBodies: bodies,
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: this.metricName },
      rules: rules.map(([name, problem, statement], priority) => ({
        name,
        priority,
        statement,
        action: { block: { customResponse: { responseCode: problem.status, customResponseBodyKey: name } } },
        visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${metricPrefix}-${name}` },
      })),
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: props.stage.stageArn, webAclArn: this.webAcl.attrArn });
  }
}
