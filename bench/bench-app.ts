import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from '../lib';
import { declareBooking } from '../lib/apps/booking';
import { generatedApp } from '../test/support/generated-app';

/** The body every validate + transform benchmark sends and checks. */
export const QUOTE_SCHEMA = {
  type: 'object',
  required: ['product', 'quantity'],
  additionalProperties: false,
  properties: { product: { type: 'string', minLength: 1, maxLength: 50 }, quantity: { type: 'integer', minimum: 1, maximum: 1000 } },
} as const;

const declareBench: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, 'Bench');
  const chain = [
    op.transform('{% { "product": $body.product, "total": $body.quantity * 12.5 } %}', { as: 'quote' }),
    op.respond({ body: '{% $quote %}' }),
  ];
  new AppApi(app, 'PublicQuote', { method: 'POST', path: '/bench/quote', auth: ApiAuth.public(), body: QUOTE_SCHEMA, chain });
  new AppApi(app, 'KeyQuote', { method: 'POST', path: '/bench/key-quote', auth: ApiAuth.keyGroups('partners'), body: QUOTE_SCHEMA, chain });
  new AppApi(app, 'Ping', { method: 'GET', path: '/bench/ping', auth: ApiAuth.public(), chain: [op.respond({ body: { ok: true } })] });
};

/** BENCH_GENERATED_ROUTES adds that many generated App APIs, to measure routing with many routes. */
const generated = Number(process.env.BENCH_GENERATED_ROUTES ?? 0);
export const apps: readonly AppDeclaration[] = [declareBooking, declareBench, ...(generated > 0 ? [generatedApp(generated)] : [])];
