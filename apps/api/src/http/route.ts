import type { RequestHandler, Router } from 'express';
import type { RouteDef } from '@rolegate/contract';

/** `{ id: string }` for '/api/admin/mappings/:id' (the path parameters of an Express path). */
export type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & ParamsOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, string>;

/**
 * Registers routes of the contract's ROUTES table on a router mounted at
 * `mount`: method and path come from the table, never restated here, so the
 * routers, `/openapi.json` and the route-table test read the same thing.
 * Handlers see the path parameters the table's path declares.
 * @throws Error at start-up when a route does not live under `mount`
 */
export function routesAt(router: Router, mount: string) {
  return <R extends RouteDef>(route: R, ...handlers: RequestHandler<ParamsOf<R['path']>>[]): void => {
    if (mount !== '' && route.path !== mount && !route.path.startsWith(`${mount}/`)) {
      throw new Error(`route ${route.method.toUpperCase()} ${route.path} is not under ${mount}`);
    }
    router[route.method](route.path.slice(mount.length) || '/', ...(handlers as unknown as RequestHandler[]));
  };
}
