// What a team would hand-write for (c): Fastify, the token checked with aws-jwt-verify against the
// same public key, the body validated by Fastify's ajv from the same schema, the same answer.
import Fastify from 'fastify';
import { JwtVerifier } from 'aws-jwt-verify';
import { QUOTE_SCHEMA } from './bench-app';

const jwk = JSON.parse(process.env.BENCH_PUBLIC_JWK!);
const verifier = JwtVerifier.create({ issuer: 'appapi', audience: 'dev', jwksUri: 'https://keys.invalid/jwks.json' });
verifier.cacheJwks({ keys: [jwk] });

const app = Fastify({ logger: false });
app.post('/bench/quote', { schema: { body: QUOTE_SCHEMA } }, async (request, reply) => {
  try {
    verifier.verifySync(String(request.headers.authorization ?? '').replace(/^Bearer /, ''));
  } catch {
    return reply.code(401).send({ code: 'unauthorized' });
  }
  const body = request.body as { product: string; quantity: number };
  return { product: body.product, total: body.quantity * 12.5 };
});
app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(() => process.send?.('ready'));
