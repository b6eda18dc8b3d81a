import { Stack, type CfnElement } from 'aws-cdk-lib';
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
import { assignKeys, splitQualified, type ScopedDeclaration } from './scoped-names';

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
 * What the environment has deployed under bare (unscoped) names, as appapi.lock.json records it:
 * those declarations keep their names when another app declares the same id or model name.
 */
export interface DeployedNames {
  /** App API id → the app that deployed it under that bare id. */
  readonly appApis?: { readonly [id: string]: string };
  /** Model key → its table's logical id (the lock's models). */
  readonly models?: { readonly [key: string]: { readonly logicalId: string } };
}

/**
 * Compiles every declaration under `root` into the environment's manifest: the one description
 * of routes, auth and chains that synth, the runtime, the local gateway and OpenAPI read.
 * Throws with a message naming the declaration and the fix on any conflict or invalid chain.
 */
export function compileManifest(root: IConstruct, environment: EnvironmentSettings, tables: ManifestTables, deployed: DeployedNames = {}): CompiledEnvironment {
  const constructs = root.node.findAll();
  bindScopedKeys(constructs, deployed);
  const apps = uniqueByName(
    constructs.filter((c): c is ApiApp => c instanceof ApiApp),
    (app) => app.appName,
    (name, first, second) => `Two ApiApps are named "${name}" (${first.node.path} and ${second.node.path}). Give each app its own appName.`,
  );
  const models = uniqueByName(
    constructs.filter((c): c is AirDataModel => c instanceof AirDataModel),
    (model) => model.manifestKey,
    (name, first, second) => `Two AirData models are named "${name}" in ${first.app ? `app ${first.app.appName}` : 'the environment'} (${first.node.path} and ${second.node.path}). Give each model its own modelName.`,
  );
  uniqueByName(
    [...models.values()],
    (model) => model.manifest.table,
    (name, first, second) => `AirData models ${first.modelReference} and ${second.modelReference} would share the table ${name}. Give each its own tableName (or leave tableName unset).`,
  );
  const appApis = uniqueByName(
    constructs.filter((c): c is AppApi => c instanceof AppApi),
    (appApi) => appApi.manifestId,
    (_name, first, second) => `Two App APIs of app ${first.app.appName} have the id "${first.routeId}" (${first.node.path} and ${second.node.path}); ids name the handler and must be unique in their app.`,
  );
  checkRouteConflicts([...appApis.values()]);

  const modelManifests: Record<string, ModelManifest> = Object.fromEntries([...models].map(([name, model]) => [name, model.manifest]));
  const appManifests: Record<string, AppManifest> = Object.fromEntries([...apps].map(([name, app]) => [name, app.manifest]));
  const warnings: Array<{ appApi: AppApi; warning: ChainWarning }> = [];
  const modelsByApp = [...models].map(([key, model]) => ({ key, model }));
  const routes: RouteManifest[] = [...appApis.values()].map((appApi) => {
    const { props } = appApi;
    const compiled = compileChain(props.chain, {
      label: `App API "${appApi.manifestId}" (${appApi.routeKey})`,
      models: modelManifests,
      resolveModel: (reference) => resolveModel(reference, appApi.app.appName, modelsByApp),
      app: appApi.app.manifest,
      pathParameters: appApi.path.parameters,
      queryParameters: appApi.query.map((parameter) => parameter.name),
    });
    warnings.push(...compiled.warnings.map((warning) => ({ appApi, warning })));
    return {
      id: appApi.manifestId,
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

/**
 * Gives every App API and model its environment-wide key (lib/scoped-names.ts): bare when its app
 * declares the name alone or the deployed state records it under the bare name, else `app.Name`.
 */
function bindScopedKeys(constructs: readonly IConstruct[], deployed: DeployedNames): void {
  const appApis: ScopedDeclaration<AppApi>[] = constructs.filter((c): c is AppApi => c instanceof AppApi).map((item) => ({ item, app: item.app.appName, name: item.routeId }));
  for (const [appApi, key] of assignKeys(appApis, (name, candidates) => candidates.find((candidate) => candidate.app === deployed.appApis?.[name]))) appApi.bindKey(key);
  const models: ScopedDeclaration<AirDataModel>[] = constructs.filter((c): c is AirDataModel => c instanceof AirDataModel).map((item) => ({ item, app: item.app?.appName, name: item.modelName }));
  const logicalIdOf = (model: AirDataModel): string => {
    const table = model.table.node.defaultChild as CfnElement;
    return Stack.of(table).resolve(table.logicalId) as string;
  };
  const modelKeys = assignKeys(models, (name, candidates) => {
    const locked = deployed.models?.[name];
    return locked ? candidates.find((candidate) => logicalIdOf(candidate.item) === locked.logicalId) : undefined;
  });
  for (const [model, key] of modelKeys) model.bindKey(key);
}

/**
 * The model a chain of `app` names: a bare name is the app's own model, else one declared outside
 * any app; `other.Name` is app `other`'s model, shared by naming it.
 */
function resolveModel(reference: string, app: string, models: ReadonlyArray<{ key: string; model: AirDataModel }>): { key: string; model: ModelManifest } {
  const found = (entry: { key: string; model: AirDataModel } | undefined) => (entry ? { key: entry.key, model: entry.model.manifest } : undefined);
  const qualified = splitQualified(reference);
  if (qualified) {
    const match = found(models.find(({ model }) => model.app?.appName === qualified.app && model.modelName === qualified.name));
    if (match) return match;
    const ofApp = models.filter(({ model }) => model.app?.appName === qualified.app).map(({ model }) => model.modelName);
    throw new Error(
      `unknown AirData model "${reference}": ${ofApp.length ? `app ${qualified.app} declares ${ofApp.join(', ')}` : `no app "${qualified.app}" declares models in this environment`}. Name another app's model as "app.Model", e.g. AirDataModel.fromApp(scope, '${qualified.app}', '${ofApp[0] ?? qualified.name}').`,
    );
  }
  const own = found(models.find(({ model }) => model.app?.appName === app && model.modelName === reference)) ?? found(models.find(({ model }) => model.app === undefined && model.modelName === reference));
  if (own) return own;
  const elsewhere = models.filter(({ model }) => model.modelName === reference && model.app);
  if (elsewhere.length > 0) {
    const names = elsewhere.map(({ model }) => model.modelReference);
    throw new Error(
      `AirData model "${reference}" is not declared by app ${app} but by ${elsewhere.map(({ model }) => `app ${model.app!.appName}`).join(' and ')}. ` +
        `Models are scoped by their app; to share one, name it with its app: op.airdata.…('${names[0]}', …) or AirDataModel.fromApp(scope, '${elsewhere[0]!.model.app!.appName}', '${reference}')` +
        `${names.length > 1 ? ` (candidates: ${names.join(', ')})` : ''}, or declare the model in app ${app}.`,
    );
  }
  const known = models.filter(({ model }) => model.app === undefined || model.app.appName === app).map(({ model }) => model.modelName);
  throw new Error(
    `unknown AirData model "${reference}" (declared in app ${app}: ${known.length ? known.join(', ') : 'none'}). ` +
      `Declare it with new AirDataModel(...) in the app, or fix the name.`,
  );
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
      const sameApp = existing.app === appApi.app;
      throw new Error(
        `App APIs "${existing.routeId}" (app ${existing.app.appName}) and "${appApi.routeId}" (app ${appApi.app.appName}) both declare ${appApi.method} ${existing.path.template === appApi.path.template ? appApi.path.template : `${existing.path.template} / ${appApi.path.template}`}. ` +
          `Each method + path may be declared once per environment: change the method or path of one of them` +
          `${sameApp ? '.' : `, or give app ${appApi.app.appName} (or ${existing.app.appName}) a basePath, e.g. new ApiApp(scope, '…', { basePath: '/${appApi.app.appName}' }).`}`,
      );
    }
    byRouteKey.set(routeKey, appApi);
    appApi.path.segments.forEach((segment, index) => {
      if (segment.kind !== 'parameter') return;
      const parent = `/${shape.slice(0, index).join('/')}`;
      const other = parameterAt.get(parent);
      if (other && other.name !== segment.name) {
        throw new Error(
          `App APIs "${other.appApi.routeId}" (app ${other.appApi.app.appName}, ${other.appApi.path.template}) and "${appApi.routeId}" (app ${appApi.app.appName}, ${appApi.path.template}) name the parameter after "${parent}" differently ` +
            `("{${other.name}}" and "{${segment.name}}"). API Gateway allows one parameter name per position: use the same name in both.`,
        );
      }
      if (!other) parameterAt.set(parent, { name: segment.name, appApi });
    });
  }
}
