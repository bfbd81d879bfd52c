import { ApiError } from './apiError.ts';
import type { CallOptions, CorrespondApi } from './contract.ts';
import { apiSchema, type MethodSchema } from './apiSchema.ts';

/**
 * The single entry both bindings (Electron IPC, browser host) use to reach the services: it looks the method up in
 * the schema (so only contract methods are reachable, never arbitrary properties), validates the argument, and calls
 * the implementation with progress/cancellation for long calls.
 */
export class ApiDispatcher {
  constructor(private readonly services: CorrespondApi) {}

  async dispatch(service: unknown, method: unknown, args: unknown, options: CallOptions = {}): Promise<unknown> {
    const schema = this.lookup(service, method);
    const checked = schema.args(args, `${String(service)}.${String(method)}`);
    const target = (this.services as unknown as Record<string, Record<string, Function>>)[service as string];
    const fn = target[method as string];
    return schema.long ? fn.call(target, checked, options) : fn.call(target, checked);
  }

  private lookup(service: unknown, method: unknown): MethodSchema {
    if (typeof service !== 'string' || typeof method !== 'string') {
      throw new ApiError('UNKNOWN_METHOD', 'A call must name a service and a method.');
    }
    const methods = Object.hasOwn(apiSchema, service)
      ? (apiSchema as unknown as Record<string, Record<string, MethodSchema>>)[service]
      : undefined;
    if (!methods || !Object.hasOwn(methods, method)) {
      throw new ApiError('UNKNOWN_METHOD', `Unknown API method ${service}.${method}.`);
    }
    return methods[method];
  }
}
