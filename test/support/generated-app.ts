import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op, type AppDeclaration, type Operation } from '../../lib';

/**
 * An app of `count` App APIs shaped like real ones: resource families of ten routes each
 * (list, create, get, put, patch, delete, and a nested collection), each family on its own model.
 * With `singleRoot`, every family hangs under one top-level path, to force nested-stack splitting.
 */
export function generatedApp(count: number, options: { singleRoot?: boolean } = {}): AppDeclaration {
  return (environment) => {
    const app = new ApiApp(environment, 'Generated');
    const families = Math.ceil(count / 10);
    let declared = 0;
    for (let family = 0; family < families && declared < count; family++) {
      const model = new AirDataModel(app, `Thing${family}`, {
        fields: { name: field.text(), code: field.text({ unique: true }), size: field.integer({ optional: true }) },
        indexes: { byCode: { partitionKey: 'code' } },
      });
      const base = options.singleRoot ? `/tenants/{tenantId}/things${family}` : `/things${family}`;
      const item = `${base}/{thingId}`;
      const routes: Array<[string, 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', string, Operation[]]> = [
        ['List', 'GET', base, [op.airdata.query(model, { filter: { code: 'x' }, as: 'page' }), op.respond({ body: '{% $page %}' })]],
        ['Create', 'POST', base, [op.airdata.insert(model, { record: '{% $body %}', as: 'thing' }), op.respond({ status: 201, body: '{% $thing %}' })]],
        ['Get', 'GET', item, [op.airdata.get(model, { id: '{% $params.thingId %}', as: 'thing' }), op.respond({ body: '{% $thing %}' })]],
        ['Put', 'PUT', item, [op.airdata.put(model, { id: '{% $params.thingId %}', record: '{% $body %}', as: 'thing' }), op.respond({ body: '{% $thing %}' })]],
        ['Patch', 'PATCH', item, [op.airdata.patch(model, { id: '{% $params.thingId %}', fields: '{% $body %}', as: 'thing' }), op.respond({ body: '{% $thing %}' })]],
        ['Delete', 'DELETE', item, [op.airdata.delete(model, { id: '{% $params.thingId %}' }), op.respond({ status: 204 })]],
        ['ListVisits', 'GET', `${item}/visits`, [op.journey.get({ id: '{% $params.thingId %}', events: true, as: 'visits' }), op.respond({ body: '{% $visits %}' })]],
        ['StartVisit', 'POST', `${item}/visits`, [op.journey.start({ identifier: '{% $params.thingId %}', as: 'visit' }), op.respond({ status: 201, body: '{% $visit %}' })]],
        ['GetVisit', 'GET', `${item}/visits/{visitId}`, [op.journey.get({ id: '{% $params.visitId %}', as: 'visit' }), op.respond({ body: '{% $visit %}' })]],
        ['EndVisit', 'DELETE', `${item}/visits/{visitId}`, [op.journey.end({ id: '{% $params.visitId %}', status: 'completed' }), op.respond({ status: 204 })]],
      ];
      for (const [name, method, path, chain] of routes) {
        if (declared++ >= count) break;
        new AppApi(app, `${name}${family}`, { method, path, auth: family % 3 === 0 ? ApiAuth.public() : ApiAuth.keyGroups('partners'), chain });
      }
    }
  };
}
