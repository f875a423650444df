import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import sjson from 'secure-json-parse'
import { AppError } from '../errors.js'
import { jsonTooDeep } from '../lib/json-depth.js'

/** Deepest nesting a JSON body may have (our deepest schema nests 3 levels). */
export const MAX_JSON_DEPTH = 32

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

function badBody (message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' })
}

/**
 * Whether an `Origin` is ours: PUBLIC_URL's, or the host the request itself was addressed to
 * (whatever the scheme: behind a proxy that ends TLS the page is https, the request http).
 */
function isOwnOrigin (origin: string, request: FastifyRequest, publicOrigin: string | null): boolean {
  if (origin === publicOrigin) return true
  try {
    // Both through URL, which drops a default port (`:80`, `:443`) the same way.
    return new URL(origin).host === new URL(`http://${request.host}`).host
  } catch {
    return false // "null" (a sandboxed or file: page) or garbage
  }
}

/**
 * What every request goes through before a route sees it:
 * - JSON bodies are parsed only up to `MAX_JSON_DEPTH` levels and without `__proto__`
 *   (the size limit is Fastify's `bodyLimit`, small by default, larger only on the import);
 * - no `text/plain` parser: an HTML form on another site can send that without a preflight;
 * - a state-changing request or a websocket upgrade from a page of another site (its `Origin`)
 *   is refused, unless it carries a bearer token (which no foreign page can make a browser send);
 * - API answers are never cached: they may carry patient data.
 */
export default fp(async (app) => {
  app.removeContentTypeParser(['application/json', 'text/plain'])
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string
    if (text === '') { done(badBody('the body is empty while its content-type is application/json'), undefined); return }
    if (jsonTooDeep(text, MAX_JSON_DEPTH)) { done(badBody(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined); return }
    try {
      done(null, sjson.parse(text, { protoAction: 'error', constructorAction: 'error' }))
    } catch (err) {
      done(badBody(`the body is not valid JSON: ${(err as Error).message}`), undefined)
    }
  })

  const publicOrigin = app.config.publicUrlSet ? new URL(app.config.publicUrl).origin : null
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin
    const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket'
    if (origin !== undefined && (upgrade || STATE_CHANGING.has(request.method)) &&
        !/^Bearer\s/i.test(request.headers.authorization ?? '') && !isOwnOrigin(origin, request, publicOrigin)) {
      throw new AppError('FORBIDDEN', `requests from ${origin} are refused: this server only takes changes from its own pages`)
    }
    if (request.url.startsWith('/api/')) void reply.header('cache-control', 'no-store')
  })
}, { name: 'request-guards', dependencies: ['context'] })
