import type { IConstruct } from 'constructs';
import type { AppManifest, EnvironmentManifest, ModelManifest, RouteManifest } from '../lambdas/shared/manifest';
import { MANIFEST_VERSION } from '../lambdas/shared/manifest';
import { compileChain, type ChainWarning } from './chain/compile';
import { AirDataModel } from './constructs/airdata-model';
import { SchemaComponents } from './responses/components';
import { checkDeclaredAnswers } from './responses/route-answers';
import { ApiApp } from './constructs/api-app';
import { AppApi } from './constructs/app-api';
import type { EnvironmentSettings } from './constructs/environment-context';

export type { EnvironmentManifest, RouteManifest } from '../lambdas/shared/manifest';

export interface CompiledEnvironment {
  readonly manifest: EnvironmentManifest;
  /** Legal but dubious choices, per App API, to report as CDK warnings. */
  readonly warnings: ReadonlyArray<{ readonly appApi: AppApi; readonly warning: ChainWarning }>;
  /** The App API construct of each route id. */
  readonly appApis: ReadonlyMap<string, AppApi>;
}

export type ManifestTables = EnvironmentManifest['tables'];

/**
 * Compiles every declaration under `root` into the environment's manifest: the one description
 * of routes, auth and chains that synth, the runtime, the local gateway and OpenAPI read.
 * Throws with a message naming the declaration and the fix on any conflict or invalid chain.
 */
export function compileManifest(root: IConstruct, environment: EnvironmentSettings, tables: ManifestTables): CompiledEnvironment {
  const constructs = root.node.findAll();
  const apps = uniqueByName(
    constructs.filter((c): c is ApiApp => c instanceof ApiApp),
    (app) => app.appName,
    (name, first, second) => `Two ApiApps are named "${name}" (${first.node.path} and ${second.node.path}). Give each app its own appName.`,
  );
  const models = uniqueByName(
    constructs.filter((c): c is AirDataModel => c instanceof AirDataModel),
    (model) => model.modelName,
    (name, first, second) => `Two AirData models are named "${name}" (${first.node.path} and ${second.node.path}). Give each model its own modelName.`,
  );
  uniqueByName(
    [...models.values()],
    (model) => model.manifest.table,
    (name, first, second) => `AirData models ${first.modelName} and ${second.modelName} would share the table ${name}. Give each its own tableName (or leave tableName unset).`,
  );
  const appApis = uniqueByName(
    constructs.filter((c): c is AppApi => c instanceof AppApi),
    (appApi) => appApi.routeId,
    (name, first, second) => `Two App APIs have the id "${name}" (${first.node.path} and ${second.node.path}); ids name the handler and must be unique in an environment.`,
  );
  checkRouteConflicts([...appApis.values()]);

  const modelManifests: Record<string, ModelManifest> = Object.fromEntries([...models].map(([name, model]) => [name, model.manifest]));
  const appManifests: Record<string, AppManifest> = Object.fromEntries([...apps].map(([name, app]) => [name, app.manifest]));
  const warnings: Array<{ appApi: AppApi; warning: ChainWarning }> = [];
  const routes: RouteManifest[] = [...appApis.values()].map((appApi) => {
    const { props } = appApi;
    const compiled = compileChain(props.chain, {
      label: `App API "${appApi.routeId}" (${appApi.routeKey})`,
      models: modelManifests,
      app: appApi.app.manifest,
      pathParameters: appApi.path.parameters,
      queryParameters: appApi.query.map((parameter) => parameter.name),
    });
    warnings.push(...compiled.warnings.map((warning) => ({ appApi, warning })));
    return {
      id: appApi.routeId,
      app: appApi.app.appName,
      method: appApi.method,
      path: appApi.path.template,
      pathParameters: appApi.path.parameters,
      query: appApi.query,
      ...(props.body === undefined ? {} : { body: props.body }),
      auth: appApi.auth.manifest,
      ...(props.throttling ? { throttling: { rateLimit: props.throttling.rateLimit, burstLimit: props.throttling.burstLimit } } : {}),
      ...(props.description ? { description: props.description } : {}),
      ...(props.responses === undefined ? {} : { responses: props.responses as RouteManifest['responses'] }),
      chain: compiled.chain,
    };
  });

  // Round-trip through JSON: the manifest must be plain data, and this proves it.
  const manifest: EnvironmentManifest = JSON.parse(
    JSON.stringify({
      version: MANIFEST_VERSION,
      env: environment.environmentName,
      prefix: environment.resourcePrefix,
      tables,
      models: modelManifests,
      apps: appManifests,
      routes,
    }),
  );
  const components = new SchemaComponents(manifest.models);
  for (const route of manifest.routes) {
    const appApi = appApis.get(route.id)!;
    for (const message of checkDeclaredAnswers(route, manifest, components, `App API "${route.id}" (${appApi.routeKey})`)) {
      warnings.push({ appApi, warning: { id: 'appapi:responseContradicted', message } });
    }
  }
  return { manifest, warnings, appApis };
}

function uniqueByName<T extends IConstruct>(items: T[], nameOf: (item: T) => string, conflict: (name: string, first: T, second: T) => string): Map<string, T> {
  const byName = new Map<string, T>();
  for (const item of items) {
    const name = nameOf(item);
    const first = byName.get(name);
    if (first) throw new Error(conflict(name, first, item));
    byName.set(name, item);
  }
  return byName;
}

/**
 * Two routes conflict when API Gateway could not tell them apart: the same method on the same
 * path shape, or two differently named parameters at the same place (`/a/{id}` and `/a/{key}`).
 */
function checkRouteConflicts(appApis: readonly AppApi[]): void {
  const byRouteKey = new Map<string, AppApi>();
  const parameterAt = new Map<string, { name: string; appApi: AppApi }>();
  for (const appApi of appApis) {
    const shape = appApi.path.parts.map((part) => (part.startsWith('{') ? '{}' : part));
    const routeKey = `${appApi.method} /${shape.join('/')}`;
    const existing = byRouteKey.get(routeKey);
    if (existing) {
      throw new Error(
        `App APIs "${existing.routeId}" and "${appApi.routeId}" both declare ${appApi.method} ${existing.path.template === appApi.path.template ? appApi.path.template : `${existing.path.template} / ${appApi.path.template}`}. ` +
          `Each method + path may be declared once per environment: change the method or path of one of them.`,
      );
    }
    byRouteKey.set(routeKey, appApi);
    appApi.path.segments.forEach((segment, index) => {
      if (segment.kind !== 'parameter') return;
      const parent = `/${shape.slice(0, index).join('/')}`;
      const other = parameterAt.get(parent);
      if (other && other.name !== segment.name) {
        throw new Error(
          `App APIs "${other.appApi.routeId}" (${other.appApi.path.template}) and "${appApi.routeId}" (${appApi.path.template}) name the parameter after "${parent}" differently ` +
            `("{${other.name}}" and "{${segment.name}}"). API Gateway allows one parameter name per position: use the same name in both.`,
        );
      }
      if (!other) parameterAt.set(parent, { name: segment.name, appApi });
    });
  }
}
