import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { searchCommunes, territoryOfCommunes } from '../../lib/communes.js'
import { currentUser } from '../../plugins/auth.js'
import { practiceCommuneCodes } from './territory-repository.js'

/**
 * Autocomplete of French communes (the patient's commune on /regulation, addresses on /admin).
 * The asker's territory comes first: the communes where the practitioners of their CPTS (or,
 * for an account of no CPTS such as a regulator, of every CPTS) practise, their
 * intercommunalities, then their départements; each answer says where it lies (`territory`).
 */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/communes', {
    schema: {
      tags: ['communes'],
      summary: 'French communes matching q (words anywhere, accents, hyphens and "st" folded; digits: postal code), the territory\'s first',
      description: 'Each commune has `territory`: "cpts" (a commune of the practitioners of the asker\'s CPTS, or of their intercommunality), "departement" (in one of their départements) or "outside".',
      querystring: z.object({ q: z.string().trim().min(2).max(60), limit: z.coerce.number().int().min(1).max(50).default(10) })
    },
    onRequest: app.requireRole('admin', 'practitioner', 'regulator', 'board')
  }, async (request) => {
    const territory = territoryOfCommunes(await practiceCommuneCodes(app.db, currentUser(request).cptsId))
    return searchCommunes(request.query.q, request.query.limit, territory)
  })
}

export default routes
