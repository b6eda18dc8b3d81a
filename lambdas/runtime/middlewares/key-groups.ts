import { HttpProblem } from '../problem-error';
import type { RuntimeMiddleware } from './types';

/**
 * The route's key groups, checked again after the authorizer: its cached policy spans every route,
 * and a path-parameter wildcard can cover a deeper route the key may not call.
 */
export function keyGroups(routeGroups: readonly string[]): RuntimeMiddleware {
  return {
    before: (request) => {
      const groups = String(request.event.requestContext?.authorizer?.groups ?? '').split(',');
      if (!groups.some((group) => routeGroups.includes(group))) throw new HttpProblem('forbidden', 'This API key may not call this route.');
    },
  };
}
