import jsonata from 'jsonata';

/**
 * JSONata, behind a module of our own so that the handler's Lambda asset can ship it as a file of
 * its own (lib/constructs/lambda-entries.ts, `lazy`): required the first time an expression is not
 * a plain path, so a cold start whose route evaluates none never parses its ~80 KB.
 */
export const compileJsonata: typeof jsonata = jsonata;
