import { STATUS_CODES } from 'node:http'
import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { errorStatus, type ApiErrorBody, type ErrorCode } from '../../shared/errors.js'
import { AppError } from '../errors.js'

/** Answers with `code`, whose status is the table's unless Fastify's own 4xx gives another (413, 415…). */
function send (reply: FastifyReply, code: ErrorCode, message: string, extra: Partial<ApiErrorBody> = {}, statusCode = errorStatus(code)): FastifyReply {
  const body: ApiErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message, ...extra }
  return reply.status(statusCode).type('application/json; charset=utf-8').send(body)
}

/**
 * Every error leaves in the contract's shape with a stable `code`. Validation failures carry
 * the zod issues in `details`; unexpected errors are logged and answered as a bare 500.
 */
export default fp(async (app) => {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      const extra: Partial<ApiErrorBody> = {}
      if (err.details !== undefined) extra.details = err.details
      if (err.errors !== undefined) extra.errors = err.errors
      return send(reply, err.code, err.message, extra)
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = (err as { validationContext?: string }).validationContext ?? 'body'
      const details = err.validation.map((v) => ({
        ...v.params,
        code: v.keyword,
        path: v.instancePath.split('/').filter((s) => s !== '').map((s) => /^\d+$/.test(s) ? Number(s) : s),
        message: v.message
      }))
      const summary = details.map((d) => `${[where, ...d.path].join('.')}: ${d.message}`).join('; ')
      return send(reply, 'VALIDATION', summary, { details })
    }
    const status = err.statusCode ?? 500
    if (status === 429) return send(reply, 'RATE_LIMITED', 'Too many attempts; try again in a minute.')
    if (status === 404) return send(reply, 'NOT_FOUND', err.message)
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx: unparsable JSON, wrong content type, body too large.
      return send(reply, 'VALIDATION', err.message, { details: [{ code: err.code, path: [], message: err.message }] }, status)
    }
    request.log.error({ err }, 'unhandled error')
    return send(reply, 'INTERNAL', 'Internal server error')
  })

  app.setNotFoundHandler((request, reply) =>
    send(reply, 'NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`))
}, { name: 'errors' })
