import { inject, type InjectionKey } from 'vue';
import type { CorrespondApi } from '../../src-main/core/api/contract.ts';
import type { ApiTransport } from './transport.ts';

/** Provided once by main.ts; stores reach the API through `useApi()` (only stores call it: house rule 6). */
export const apiKey: InjectionKey<CorrespondApi> = Symbol('correspond api');
export const transportKey: InjectionKey<ApiTransport> = Symbol('correspond transport');

export function useApi(): CorrespondApi {
  const api = inject(apiKey);
  if (!api) throw new Error('the Correspond API was not provided to the app');
  return api;
}

export function useTransport(): ApiTransport {
  const transport = inject(transportKey);
  if (!transport) throw new Error('the API transport was not provided to the app');
  return transport;
}
