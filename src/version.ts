declare const __VN_VERSION__: string | undefined;

/** Injected at build time (scripts/build.mjs, vitest.config.ts) so --version reads no file. */
export const VERSION: string = typeof __VN_VERSION__ === 'string' ? __VN_VERSION__ : '0.0.0-dev';
