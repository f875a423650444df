import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { Id } from '../../../shared/schemas/common.js'
import { CreateCptsBody, UpdateCptsBody } from '../../../shared/schemas/accounts.js'
import { actorOf } from '../session/actor.js'
import { listCpts } from './cpts-repository.js'
import { createCpts, updateCpts } from './cpts-service.js'

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post('/api/cpts', {
    schema: { tags: ['cpts'], summary: 'Create a CPTS (territory) with its time zone', body: CreateCptsBody },
    onRequest: app.requireRole('admin')
  }, async (request, reply) => reply.status(201).send(await createCpts(app.db, actorOf(request), request.body, app.clock.now())))

  app.patch('/api/cpts/:id', {
    schema: { tags: ['cpts'], summary: 'Set or remove a CPTS\'s FINESS and phone, which the SAS platform reads (admin)', params: z.object({ id: Id }), body: UpdateCptsBody },
    onRequest: app.requireRole('admin')
  }, async (request) => await updateCpts(app.db, actorOf(request), request.params.id, request.body, app.clock.now()))

  app.get('/api/cpts', {
    schema: { tags: ['cpts'], summary: 'Every CPTS of this instance' },
    onRequest: app.requireRole('admin', 'practitioner', 'regulator', 'board')
  }, async () => await listCpts(app.db))
}

export default routes
