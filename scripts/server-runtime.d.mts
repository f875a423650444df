// Types of scripts/server-runtime.mjs (plain JavaScript, so that `npm start` runs it before any build).
export const SERVER_NODE_FLAGS: string[]
export const SERVER_MALLOC_ENV: Record<string, string>
export function serverRuntime (env?: Record<string, string | undefined>): { execArgv: string[], env: Record<string, string | undefined> }
