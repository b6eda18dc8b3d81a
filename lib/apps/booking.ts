import { ApiApp, ApiAuth, AirDataModel, AppApi, field, op, type AppApiStack } from '..';

/** Where a booking journey's link points, per environment. */
const BOOKING_SITE: Record<string, string> = { prod: 'https://book.example.com' };

/**
 * The reference app: customers as AirData, bookings as journeys. This is where a team declares
 * its own App APIs; copy this file to start an app of your own and list it in lib/apps/index.ts.
 */
export function declareBooking(environment: AppApiStack): void {
  const booking = new ApiApp(environment, 'Booking', {
    settings: { bookingSite: BOOKING_SITE[environment.environmentName] ?? `https://${environment.environmentName}.book.example.com` },
  });

  const customers = new AirDataModel(booking, 'Customers', {
    fields: { name: field.text({ maxLength: 200 }), email: field.email({ unique: true }), phone: field.phone({ optional: true }) },
    indexes: { byEmail: { partitionKey: 'email' } },
  });

  new AppApi(booking, 'Health', {
    method: 'GET',
    path: '/health',
    auth: ApiAuth.public(),
    chain: [op.respond({ body: { status: 'ok' } })],
  });

  new AppApi(booking, 'CreateCustomer', {
    method: 'POST',
    path: '/customers',
    auth: ApiAuth.keyGroups('partners'),
    body: {
      type: 'object',
      required: ['name', 'email'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        email: { type: 'string', format: 'email' },
        phone: { type: 'string', pattern: '^\\+[1-9][0-9]{6,14}$' },
      },
    },
    chain: [
      op.airdata.insert(customers, { record: '{% $body %}', as: 'customer' }),
      op.respond({ status: 201, body: '{% $customer %}' }),
    ],
  });

  new AppApi(booking, 'GetCustomer', {
    method: 'GET',
    path: '/customers/{customerId}',
    auth: ApiAuth.keyGroups('partners'),
    chain: [
      op.airdata.get(customers, { id: '{% $params.customerId %}', as: 'customer' }),
      op.respond({ body: '{% $customer %}' }),
    ],
  });

  new AppApi(booking, 'ListCustomers', {
    method: 'GET',
    path: '/customers',
    auth: ApiAuth.keyGroups('partners'),
    query: [{ name: 'email' }, { name: 'cursor' }, { name: 'limit', type: 'integer' }],
    chain: [
      op.airdata.query(customers, {
        filter: { email: '{% $query.email %}' },
        limit: '{% $exists($query.limit) ? $query.limit : 100 %}',
        cursor: '{% $query.cursor %}',
        as: 'page',
      }),
      op.respond({ body: '{% $page %}' }),
    ],
  });

  new AppApi(booking, 'DeleteCustomer', {
    method: 'DELETE',
    path: '/customers/{customerId}',
    auth: ApiAuth.keyGroups('ops'),
    chain: [op.airdata.delete(customers, { id: '{% $params.customerId %}' }), op.respond({ status: 204 })],
  });

  new AppApi(booking, 'CreateBooking', {
    method: 'POST',
    path: '/bookings',
    auth: ApiAuth.keyGroups('partners'),
    body: {
      type: 'object',
      required: ['customerId', 'service', 'slot'],
      additionalProperties: false,
      properties: {
        customerId: { type: 'string', minLength: 1 },
        service: { type: 'string', minLength: 1, maxLength: 100 },
        slot: { type: 'string', format: 'date-time' },
      },
    },
    chain: [
      op.airdata.get(customers, { id: '{% $body.customerId %}', as: 'customer' }),
      op.journey.start({
        identifier: '{% $body.customerId & ":" & $body.slot %}',
        onConflict: 'reject',
        step: 'requested',
        data: '{% { "customerId": $customer.id, "service": $body.service, "slot": $body.slot } %}',
        as: 'journey',
      }),
      op.respond({
        status: 201,
        body: '{% { "journeyId": $journey.id, "status": $journey.status, "link": $settings.bookingSite & "/bookings/" & $journey.id } %}',
      }),
    ],
  });

  new AppApi(booking, 'GetBooking', {
    method: 'GET',
    path: '/bookings/{journeyId}',
    auth: ApiAuth.keyGroups('partners'),
    chain: [
      op.journey.get({ id: '{% $params.journeyId %}', events: true, as: 'journey' }),
      op.respond({ body: '{% $journey %}' }),
    ],
  });

  new AppApi(booking, 'AddBookingEvent', {
    method: 'POST',
    path: '/bookings/{journeyId}/events',
    auth: ApiAuth.keyGroups('partners'),
    body: {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      // additionalProperties: true says "any keys" explicitly: generated clients (openapi-typescript) type a bare { type: 'object' } as an empty object
      properties: { type: { type: 'string', minLength: 1, maxLength: 64 }, data: { type: 'object', additionalProperties: true } },
    },
    chain: [
      op.journey.update({
        id: '{% $params.journeyId %}',
        data: '{% $body.data %}',
        step: '{% $body.type %}',
        event: { type: '{% $body.type %}', data: '{% $body.data %}' },
        as: 'journey',
      }),
      op.when('{% $body.type = "confirm" %}', [
        op.journey.end({ id: '{% $journey.id %}', status: 'completed', as: 'ended' }),
        op.respond({ body: '{% $ended %}' }),
      ]),
      op.when('{% $body.type = "cancel" %}', [
        op.journey.end({ id: '{% $journey.id %}', status: 'aborted', as: 'ended' }),
        op.respond({ body: '{% $ended %}' }),
      ]),
      op.respond({ body: '{% $journey %}' }),
    ],
  });

  new AppApi(booking, 'FollowBookingLink', {
    method: 'GET',
    path: '/go/{journeyId}',
    auth: ApiAuth.public(),
    chain: [
      op.journey.get({ id: '{% $params.journeyId %}', as: 'journey' }),
      op.redirect({ location: '{% $settings.bookingSite & "/bookings/" & $journey.id %}' }),
    ],
  });
}
