import type { FastifyRequest, FastifyServerOptions } from 'fastify'
import { redactPatientQuery } from '../../lib/patient-query.js'

/** `/feeds/<token>.ics?free=1` → `/feeds/[secret]?free=1`: a feed address is a password. */
export function redactFeedUrl (url: string): string {
  return url.replace(/\/feeds\/[^?#]*/i, '/feeds/[secret]')
}

/** Fastify's request serializer, with feed tokens and patient names taken out of the logged URL. */
function serializeRequest (request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactPatientQuery(redactFeedUrl(request.url)),
    version: request.headers['accept-version'],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort
  }
}

/** The logger options with the request serializer that never writes a feed token nor a patient's name. */
export function withFeedTokensRedacted (logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === undefined || logger === false) return logger
  const base = logger === true ? {} : logger
  return { ...base, serializers: { ...base.serializers, req: serializeRequest } }
}
