import { NestedStack, type Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { CorsManifest, EnvironmentManifest, RouteManifest } from '../../lambdas/shared/manifest';
import { gatewayModelSchema } from './gateway-model';
import { HandlerFunction } from './handler-function';
import type { HandlerRoles } from './handler-roles';
import { fallbackIntegration } from './gateway-fallback';
import { addMethodNotAllowed } from './method-not-allowed';
import type { RouteGroup } from './route-placement';

export interface RouteStackProps {
  readonly group: RouteGroup;
  readonly manifest: EnvironmentManifest;
  readonly restApi: apigateway.IRestApi;
  /** The resource the group's base path hangs from: the API root, or a resource of another route stack. */
  readonly parentResource: { readonly resourceId: string; readonly path: string };
  readonly authorizerId: string;
  readonly requestValidatorId: string;
  /** The environment's fallback function (405, preflights), integrated with the ANY and OPTIONS methods. */
  readonly fallbackFunctionArn: string;
  /** The handlers' execution roles, defined in the parent stack. */
  readonly handlerRoles: HandlerRoles;
  /** The environment's handler asset directory, shared by every route stack. */
  readonly codeDirectory: string;
  readonly handlerTimeout?: Duration;
  readonly handlerMemorySize?: number;
  readonly logRetention?: logs.RetentionDays;
  /** @default false */
  readonly tracing?: boolean;
}

/**
 * One nested stack of App APIs: the API Gateway resources of a path subtree, and for each App API
 * its method and handler. The REST API is imported, so methods and resources live here rather than
 * in the parent stack, keeping every template under CloudFormation's 500-resource limit.
 */
export class RouteStack extends NestedStack {
  readonly group: RouteGroup;
  readonly handlers = new Map<string, HandlerFunction>();
  readonly methods = new Map<string, apigateway.Method>();
  /** The ANY methods answering 405 on each path with App APIs. */
  readonly methodNotAllowed: apigateway.Method[] = [];
  /** The OPTIONS methods answering CORS preflights, on paths of apps with `cors`. */
  readonly preflights: apigateway.Method[] = [];
  private readonly resources = new Map<string, apigateway.IResource>();

  constructor(scope: Construct, id: string, props: RouteStackProps) {
    super(scope, id, { description: `App APIs under ${props.group.basePath} in ${props.manifest.env}` });
    this.group = props.group;
    const api = apigateway.RestApi.fromRestApiAttributes(this, 'Api', {
      restApiId: props.restApi.restApiId,
      rootResourceId: props.restApi.restApiRootResourceId,
    });
    const parent =
      props.parentResource.path === '/'
        ? api.root
        : apigateway.Resource.fromResourceAttributes(this, 'Parent', { restApi: api, resourceId: props.parentResource.resourceId, path: props.parentResource.path });
    this.resources.set(props.parentResource.path, parent);
    for (const path of props.group.paths) {
      const parentPath = path.slice(0, path.lastIndexOf('/')) || '/';
      const parentOfPath = this.resources.get(parentPath);
      if (!parentOfPath) throw new Error(`internal: resource ${parentPath} is not created before ${path}`);
      this.resources.set(path, parentOfPath.addResource(path.slice(path.lastIndexOf('/') + 1)));
    }

    // one Code per stack: an asset belongs to one stack, and every function here shares it
    const code = lambda.Code.fromAsset(props.codeDirectory);
    for (const route of props.group.routes) {
      const resource = this.resources.get(route.path);
      if (!resource) throw new Error(`internal: resource ${route.path} is not in route stack ${id}`);
      const handler = new HandlerFunction(this, route.id, {
        route,
        manifest: props.manifest,
        code,
        role: props.handlerRoles.roleOf(route.id),
        ...(props.handlerTimeout ? { timeout: props.handlerTimeout } : {}),
        ...(props.handlerMemorySize ? { memorySize: props.handlerMemorySize } : {}),
        ...(props.logRetention ? { logRetention: props.logRetention } : {}),
        ...(props.tracing ? { tracing: true } : {}),
      });
      const requestParameters: Record<string, boolean> = {};
      for (const name of route.pathParameters) requestParameters[`method.request.path.${name}`] = true;
      for (const parameter of route.query) requestParameters[`method.request.querystring.${parameter.name}`] = parameter.required;
      const keyProtected = route.auth.type === 'keyGroups';
      const bodyModel =
        route.body === undefined
          ? undefined
          : new apigateway.Model(this, `${route.id}Body`, { restApi: api, contentType: 'application/json', schema: gatewayModelSchema(route.body) as apigateway.JsonSchema });
      const method = resource.addMethod(route.method, new apigateway.LambdaIntegration(handler.function, { allowTestInvoke: false }), {
        operationName: route.id,
        requestParameters,
        ...(bodyModel ? { requestModels: { 'application/json': bodyModel } } : {}),
        ...(bodyModel || route.query.some((parameter) => parameter.required)
          ? { requestValidator: apigateway.RequestValidator.fromRequestValidatorId(this, `${route.id}Validator`, props.requestValidatorId) }
          : {}),
        ...(keyProtected
          ? { authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer: { authorizerId: props.authorizerId, authorizationType: apigateway.AuthorizationType.CUSTOM } }
          : { authorizationType: apigateway.AuthorizationType.NONE }),
      });
      this.handlers.set(route.id, handler);
      this.methods.set(route.id, method);
    }
    const fallback = fallbackIntegration(this, props.fallbackFunctionArn);
    for (const path of new Set(props.group.routes.map((route) => route.path))) {
      const resource = this.resources.get(path)!;
      // the root's ANY is the parent stack's (a resource has one ANY), answering 405 there too
      if (path !== '/') this.methodNotAllowed.push(addMethodNotAllowed(resource, fallback));
      // preflights are answered by the fallback function from the manifest's CORS settings
      if (corsOfPath(props.manifest, props.group.routes.filter((route) => route.path === path))) {
        this.preflights.push(resource.addMethod('OPTIONS', fallback, { authorizationType: apigateway.AuthorizationType.NONE }));
      }
    }
  }

  /** The resource of a path this stack creates, for route stacks of its child subtrees. */
  resourceAt(path: string): apigateway.IResource | undefined {
    return this.group.paths.includes(path) ? this.resources.get(path) : undefined;
  }
}

/** One path answers one preflight: its App APIs must agree on CORS. */
function corsOfPath(manifest: EnvironmentManifest, routes: readonly RouteManifest[]): CorsManifest | undefined {
  const settings = new Set(routes.map((route) => JSON.stringify(manifest.apps[route.app]?.cors ?? null)));
  if (settings.size > 1) {
    throw new Error(`Path ${routes[0]!.path} has App APIs of apps with different cors settings (${[...new Set(routes.map((r) => r.app))].join(', ')}); give those apps the same cors, or use different paths.`);
  }
  return manifest.apps[routes[0]!.app]?.cors;
}
