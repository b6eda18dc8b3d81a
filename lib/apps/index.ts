import type { AppDeclaration } from '../constructs/app-api-stack';
import { declareBooking } from './booking';

/** The apps every environment serves. Add yours here. */
export const apps: readonly AppDeclaration[] = [declareBooking];
