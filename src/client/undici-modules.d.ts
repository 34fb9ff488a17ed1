// undici publishes types for its index only; these are the modules src/client/undici.ts takes
// directly, typed as the index exports them.
declare module 'undici/lib/dispatcher/agent.js' {
  const Agent: typeof import('undici').Agent;
  export default Agent;
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  const Dispatcher: typeof import('undici').Dispatcher;
  export default Dispatcher;
}
declare module 'undici/lib/api/index.js' {
  const api: Record<'request' | 'stream' | 'pipeline' | 'upgrade' | 'connect', unknown>;
  export default api;
}
declare module 'undici/lib/interceptor/redirect.js' {
  const redirect: typeof import('undici').interceptors.redirect;
  export default redirect;
}
