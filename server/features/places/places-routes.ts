import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { User } from '../../../shared/schemas/accounts.js'
import { Id } from '../../../shared/schemas/common.js'
import { CreatePlaceBody, MembershipsBody, Place, UpdatePlaceBody } from '../../../shared/schemas/places.js'
import { forbidden } from '../../errors.js'
import { currentUser } from '../../plugins/auth.js'
import { actorOf } from '../session/actor.js'
import { getUserView } from '../users/users-service.js'
import { archivePlace, createPlace, listPlacesOf, setMemberships, updatePlace } from './places-service.js'

const IdParams = z.object({ id: Id })
const PlaceParams = z.object({ id: Id, placeId: Id })
const PlaceReply = z.object({ place: Place })

/** A practitioner's places of consultation and CPTS (issue 21): the admin manages them, the practitioner reads theirs. */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/users/:id/places', {
    schema: { tags: ['users'], summary: 'A practitioner\'s active places of consultation, the home place first (admin; the practitioner for themselves)', params: IdParams, response: { 200: z.object({ places: z.array(Place) }) } },
    onRequest: app.requireRole('admin', 'practitioner')
  }, async (request) => {
    const me = currentUser(request)
    if (me.role !== 'admin' && me.id !== request.params.id) throw forbidden('a practitioner reads only their own places')
    return { places: await listPlacesOf(app.db, request.params.id) }
  })

  app.post('/api/users/:id/places', {
    schema: { tags: ['users'], summary: 'Add a place of consultation to a practitioner; `home: true` makes it their home place (admin)', params: IdParams, body: CreatePlaceBody, response: { 201: PlaceReply } },
    onRequest: app.requireRole('admin')
  }, async (request, reply) => {
    const place = await createPlace(app.db, request.params.id, request.body, actorOf(request), app.clock.now())
    return reply.status(201).send({ place })
  })

  app.patch('/api/users/:id/places/:placeId', {
    schema: { tags: ['users'], summary: 'Edit a place of consultation (only the fields sent); `home: true` makes it the home place (admin)', params: PlaceParams, body: UpdatePlaceBody, response: { 200: PlaceReply } },
    onRequest: app.requireRole('admin')
  }, async (request) => ({ place: await updatePlace(app.db, request.params.id, request.params.placeId, request.body, actorOf(request), app.clock.now()) }))

  app.delete('/api/users/:id/places/:placeId', {
    schema: { tags: ['users'], summary: 'Archive a place of consultation: not the home place, nor one with slots still to come (PLACE_IN_USE) (admin)', params: PlaceParams },
    onRequest: app.requireRole('admin')
  }, async (request, reply) => {
    await archivePlace(app.db, request.params.id, request.params.placeId, actorOf(request), app.clock.now())
    return reply.status(204).send()
  })

  app.put('/api/users/:id/cpts', {
    schema: { tags: ['users'], summary: 'Every CPTS a practitioner is a member of, and their home CPTS; leaving one that slots still to come are offered to is refused (MEMBERSHIP_IN_USE) (admin)', params: IdParams, body: MembershipsBody, response: { 200: z.object({ user: User }) } },
    onRequest: app.requireRole('admin')
  }, async (request) => {
    await setMemberships(app.db, request.params.id, request.body, actorOf(request), app.clock.now())
    return { user: await getUserView(app.db, request.params.id) }
  })
}

export default routes
