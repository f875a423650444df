import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { CreateUserBody } from '../../../shared/schemas/accounts.js'
import { currentUser } from '../../plugins/auth.js'
import { createUser, listUserViews } from './users-service.js'

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post('/api/users', {
    schema: { tags: ['users'], summary: 'Create an account (admin)', body: CreateUserBody },
    onRequest: app.requireRole('admin')
  }, async (request, reply) => {
    const user = await createUser(app.db, request.body, { id: currentUser(request).id, ip: request.ip }, app.clock.now())
    return reply.status(201).send({ user })
  })

  app.get('/api/users', {
    schema: { tags: ['users'], summary: 'Every account (admin)' },
    onRequest: app.requireRole('admin')
  }, async () => await listUserViews(app.db))
}

export default routes
