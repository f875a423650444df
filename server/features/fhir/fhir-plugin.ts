import type { FastifyError, FastifyPluginAsync } from 'fastify'
import bulkRoutes from './bulk-routes.js'
import { sendFhir } from './fhir-reply.js'
import { FhirError, operationOutcome, operationOutcomeOf } from './operation-outcome.js'
import regulatorRoutes from './regulator-routes.js'
import searchRoutes from './search-routes.js'

/**
 * The FHIR interface under `/fhir`: the SAS platform's slot search (INT_R01 / INT_R04), its
 * regulator accounts (INT_R02) and the public SMART Scheduling Links files. Encapsulated, so that its errors leave as FHIR
 * OperationOutcomes while the rest of the API keeps the contract's error shape.
 */
const fhirPlugin: FastifyPluginAsync = async (app) => {
  await app.register(async (fhir) => {
    fhir.setErrorHandler((err: FastifyError, request, reply) => {
      if (err instanceof FhirError) {
        if (err.statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="fhir"')
        return sendFhir(reply, err.statusCode, operationOutcomeOf(err.issues))
      }
      const status = err.statusCode ?? 500
      if (status >= 400 && status < 500) return sendFhir(reply, status, operationOutcome('invalid', err.message))
      request.log.error({ err }, 'unhandled error in /fhir')
      return sendFhir(reply, 500, operationOutcome('exception', 'Internal server error'))
    })
    fhir.setNotFoundHandler((request, reply) =>
      sendFhir(reply, 404, operationOutcome('not-found', `No FHIR interaction ${request.method} ${request.url.split('?')[0] ?? ''}`)))
    await fhir.register(searchRoutes)
    await fhir.register(bulkRoutes)
    await fhir.register(regulatorRoutes)
  }, { prefix: '/fhir' })
}

export default fhirPlugin
