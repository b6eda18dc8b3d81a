import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op, type AppDeclaration } from '../../lib';
import { declareBooking } from '../../lib/apps/booking';

/** Routes for the operations the booking app does not use: put, patch, transform, validate, http. */
export const declareLab: AppDeclaration = (environment) => {
  const lab = new ApiApp(environment, 'Lab', { httpHosts: ['127.0.0.1'], cors: { allowOrigins: ['https://app.example.com', 'https://admin.example.com'] } });
  const notes = new AirDataModel(lab, 'Notes', { fields: { title: field.text({ maxLength: 100 }), tags: field.json({ optional: true }) } });
  const open = ApiAuth.public();
  new AppApi(lab, 'PutNote', {
    method: 'PUT',
    path: '/lab/notes/{noteId}',
    auth: open,
    chain: [
      op.validate('body', { type: 'object', required: ['title'] }),
      op.airdata.put(notes, { id: '{% $params.noteId %}', record: '{% $body %}', as: 'note' }),
      op.respond({ body: '{% $note %}' }),
    ],
  });
  new AppApi(lab, 'PatchNote', {
    method: 'PATCH',
    path: '/lab/notes/{noteId}',
    auth: open,
    chain: [op.airdata.patch(notes, { id: '{% $params.noteId %}', fields: '{% $body %}', as: 'note' }), op.respond({ body: '{% $note %}' })],
  });
  new AppApi(lab, 'MeasureBody', {
    method: 'POST',
    path: '/lab/size',
    auth: open,
    chain: [op.transform('{% $length($body.data) %}', { as: 'length' }), op.respond({ body: { length: '{% $length %}' } })],
  });
  new AppApi(lab, 'Relay', {
    method: 'GET',
    path: '/lab/relay',
    auth: open,
    query: [{ name: 'url', required: true }],
    chain: [op.http({ url: '{% $query.url %}', as: 'upstream' }), op.respond({ body: '{% { "status": $upstream.status, "body": $upstream.body } %}' })],
  });
  new AppApi(lab, 'Throttled', {
    method: 'GET',
    path: '/lab/throttled',
    auth: open,
    throttling: { rateLimit: 1, burstLimit: 2 },
    chain: [op.respond({ body: { ok: true } })],
  });
};

export const apps: readonly AppDeclaration[] = [declareBooking, declareLab];
