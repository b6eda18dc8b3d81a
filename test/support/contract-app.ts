import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from '../../lib';

/**
 * Routes whose answers can be made to depart from their published schemas: the local answer
 * check's test subjects. No data operations, so they run without DynamoDB.
 */
export const declareContract: AppDeclaration = (environment) => {
  const contract = new ApiApp(environment, 'Contract');
  new AppApi(contract, 'Echo', {
    method: 'POST',
    path: '/echo',
    auth: ApiAuth.public(),
    // the chain answers whatever was sent: only the declaration says what it should be
    responses: { 200: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } } },
    chain: [op.respond({ body: '{% $body %}' })],
  });
  new AppApi(contract, 'Greeting', {
    method: 'GET',
    path: '/greeting',
    auth: ApiAuth.public(),
    query: [{ name: 'to' }],
    chain: [op.respond({ body: { greeting: 'hello', to: '{% $query.to %}' } })],
  });
};

export const apps: readonly AppDeclaration[] = [declareContract];
