import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { CallBody } from '../../../shared/schemas/slots.js'
import { actorOf } from '../session/actor.js'
import { logCall } from './calls-service.js'

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post('/api/calls', {
    schema: { tags: ['calls'], summary: "Log a call's outcome (the board counts unmet demand from it)", body: CallBody },
    onRequest: app.requireRole('regulator')
  }, async (request, reply) => reply.status(201).send(await logCall(app.db, actorOf(request), request.body, app.clock.now())))
}

export default routes
