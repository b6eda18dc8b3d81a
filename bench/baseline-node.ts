// The hand-written limit for (a) and (b): node:http, the same SDK client settings, the same
// DynamoDB calls as the chain runtime (consistent GetItem; marker GetItem + TransactWrite of
// record and marker), and ajv for the body. No auth, no routing table, no events. GET /health
// answers a constant, the limit for the public /health route.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { createDocumentClient } from '../lambdas/runtime/dynamodb';

const dynamo = createDocumentClient(process.env.APPAPI_DYNAMODB_ENDPOINT);
const table = process.env.BENCH_TABLE!;
const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
const validate = ajv.compile({ type: 'object', required: ['name', 'email'], properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } } });

const server = createServer((request, response) => {
  const send = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    response.end(text);
  };
  if (request.method === 'GET' && request.url === '/health') return send(200, { status: 'ok' });
  if (request.method === 'GET') {
    const id = request.url!.split('/')[2]!;
    dynamo.send(new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true })).then((result) => send(result.Item ? 200 : 404, result.Item ?? {}), () => send(503, {}));
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString());
      if (!validate(body)) return send(400, { errors: validate.errors });
      const marker = `#unique#email#${String(body.email).toLowerCase()}`;
      if ((await dynamo.send(new GetCommand({ TableName: table, Key: { id: marker }, ConsistentRead: true }))).Item) return send(409, {});
      const record = { id: randomUUID(), name: body.name, email: body.email };
      await dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: record, ConditionExpression: 'attribute_not_exists(id)' } },
            { Put: { TableName: table, Item: { id: marker, recordId: record.id }, ConditionExpression: 'attribute_not_exists(id)' } },
          ],
        }),
      );
      send(201, record);
    } catch {
      send(500, {});
    }
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
