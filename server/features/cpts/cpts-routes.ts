import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { CreateCptsBody } from '../../../shared/schemas/accounts.js'
import { currentUser } from '../../plugins/auth.js'
import { newId } from '../../lib/secrets.js'
import { appendAudit } from '../audit/audit-repository.js'
import { listCpts } from './cpts-repository.js'

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post('/api/cpts', {
    schema: { tags: ['cpts'], summary: 'Create a CPTS (territory) with its time zone', body: CreateCptsBody },
    onRequest: app.requireRole('admin')
  }, async (request, reply) => {
    const now = app.clock.now()
    const cpts = { id: newId(), name: request.body.name, timezone: request.body.timezone, finess: request.body.finess ?? null }
    await app.db.transaction().execute(async (trx) => {
      await trx.insertInto('cpts').values({ ...cpts, created_at: now.toISOString() }).execute()
      await appendAudit(trx, { at: now, userId: currentUser(request).id, action: 'cpts.create', subjectType: 'cpts', subjectId: cpts.id, ip: request.ip })
    })
    return reply.status(201).send(cpts)
  })

  app.get('/api/cpts', {
    schema: { tags: ['cpts'], summary: 'Every CPTS of this instance' },
    onRequest: app.requireRole('admin', 'practitioner', 'regulator', 'board')
  }, async () => await listCpts(app.db))
}

export default routes
