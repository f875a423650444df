import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { searchCommunes } from '../../lib/communes.js'

/** Autocomplete of French communes (the patient's commune on /regulation, addresses on /admin). */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/communes', {
    schema: {
      tags: ['communes'],
      summary: 'French communes whose name or postal code starts with q',
      querystring: z.object({ q: z.string().trim().min(2).max(60), limit: z.coerce.number().int().min(1).max(50).default(10) })
    },
    onRequest: app.requireRole('admin', 'practitioner', 'regulator', 'board')
  }, async (request) => searchCommunes(request.query.q, request.query.limit))
}

export default routes
