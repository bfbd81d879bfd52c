import type { CallOptions, CorrespondApi } from '../../src-main/core/api/contract.ts';
import { ApiClientError } from './apiClientError.ts';
import { clientErrorCodes, type ApiTransport } from './transport.ts';

/**
 * The typed `CorrespondApi` over any transport, as a generic proxy (house rule 2): `api.clips.import(args, options)`
 * becomes one call of `clips.import`. Every method takes at most one argument object, then optional `CallOptions`,
 * whose `onProgress` receives the call's progress messages and whose `signal` sends a cancel.
 */
export function createApiClient(transport: ApiTransport): CorrespondApi {
  let nextCallId = 1;

  async function invoke(service: string, method: string, args: unknown, options: CallOptions = {}): Promise<unknown> {
    const { signal, onProgress } = options;
    if (signal?.aborted) throw new ApiClientError(clientErrorCodes.cancelled, 'Cancelled.');
    const id = nextCallId++;
    const onAbort = () => transport.cancel(id);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const outcome = await transport.call({ id, service, method, args }, (progress) => onProgress?.(progress));
      if (!outcome.ok) throw new ApiClientError(outcome.error.code, outcome.error.message);
      return outcome.value;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  const services = new Map<string, object>();
  const serviceProxy = (service: string) =>
    new Proxy(
      {},
      {
        get(_target, method) {
          // `then` must stay undefined, or `await api.clips` would treat the proxy as a promise.
          if (typeof method !== 'string' || method === 'then') return undefined;
          return (args?: unknown, options?: CallOptions) => invoke(service, method, args, options);
        },
      },
    );

  return new Proxy({} as CorrespondApi, {
    get(_target, service) {
      if (typeof service !== 'string' || service === 'then') return undefined;
      let proxy = services.get(service);
      if (!proxy) {
        proxy = serviceProxy(service);
        services.set(service, proxy);
      }
      return proxy;
    },
  });
}
