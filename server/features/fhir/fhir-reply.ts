import type { FastifyReply, FastifyRequest } from 'fastify'
import { FHIR_JSON } from './codes.js'
import { FhirError } from './operation-outcome.js'

/** Sends a FHIR resource as `application/fhir+json` (serialised here: no response schema applies). */
export function sendFhir (reply: FastifyReply, statusCode: number, resource: unknown): FastifyReply {
  return reply.status(statusCode).header('content-type', FHIR_JSON).send(JSON.stringify(resource))
}

/**
 * True when the `Accept` header allows JSON: none, a wildcard, `application/fhir+json` or the
 * `application/json+fhir` the SAS pages write.
 */
export function acceptsJson (accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true
  return accept.split(',').some((part) => {
    const type = (part.split(';')[0] ?? '').trim().toLowerCase()
    return type === '*/*' || type === 'application/*' || type.includes('json')
  })
}

/** Route guard: 406 OperationOutcome unless the client takes JSON. */
export function requireJson (request: FastifyRequest): void {
  if (!acceptsJson(request.headers.accept)) {
    throw new FhirError(406, 'not-supported', 'Only JSON is served: Accept application/fhir+json')
  }
}

/** The raw query string of the request (after `?`), as it came. */
export function rawQuery (request: FastifyRequest): string {
  const q = request.url.indexOf('?')
  return q < 0 ? '' : request.url.slice(q + 1)
}
