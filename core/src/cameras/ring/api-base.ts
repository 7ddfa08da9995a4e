/**
 * FOR TESTING: ring-client-api hard-codes Ring's hosts and passes its own undici dispatcher per
 * request, so the only way to reach a fake Ring cloud is to wrap the global fetch: requests to Ring
 * hosts are rewritten to `base` (the original host kept in `x-original-host`) without the dispatcher.
 * Live view's signalling WebSocket (undici's, which takes no dispatcher from the library) goes through
 * undici's global dispatcher, so that is wrapped the same way.
 * Set through CAMFLOW_RING_API_BASE or the `apiBase` option; never set in normal use.
 */
import { Agent, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';

const RING_HOST = /(^|\.)(ring\.com|rings\.solutions|ring\.devices\.a2z\.com)$/;

/** Points Ring's requests at `base`; returns the function that undoes it. */
export function useRingApiBase(base: string): () => void {
  const target = new URL(base);
  const realFetch = globalThis.fetch;
  const wrapped: typeof fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (!RING_HOST.test(url.hostname)) return realFetch(input, init);
    const { dispatcher: _dispatcher, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
    const headers = new Headers(rest.headers);
    headers.set('x-original-host', url.host);
    return realFetch(`${target.origin}${url.pathname}${url.search}`, { ...rest, headers });
  };
  globalThis.fetch = wrapped;
  const realDispatcher = getGlobalDispatcher();
  const agent = new Agent();
  const rewriting: Dispatcher = agent.compose((dispatch) => (options, handler) => {
    const origin = new URL(String(options.origin));
    if (!RING_HOST.test(origin.hostname)) return realDispatcher.dispatch(options, handler);
    return dispatch({ ...options, origin: target.origin }, handler);
  });
  setGlobalDispatcher(rewriting);
  return () => {
    if (globalThis.fetch === wrapped) globalThis.fetch = realFetch;
    if (getGlobalDispatcher() === rewriting) setGlobalDispatcher(realDispatcher);
    void agent.close();
  };
}
