import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { Id } from '../../../shared/schemas/common.js'
import { Booking } from '../../../shared/schemas/slots.js'
import {
  ClaimBody, ClaimResult, CreateRequestBody, RequestBookingBody, RequestList, RequestQuery, WaitingRequest, WaitingRequestDetail, WithdrawRequestBody
} from '../../../shared/schemas/waiting-list.js'
import { actorOf } from '../session/actor.js'

const IdParams = z.object({ id: Id })
const TAGS = ['waiting list']

/** `/api/waiting-list`: regulators only (the requests carry health data). */
const routes: FastifyPluginAsyncZod = async (app) => {
  const regulator = app.requireRole('regulator')

  app.post('/api/waiting-list', {
    schema: { tags: TAGS, summary: 'Put a patient whose call found no slot on the waiting list', body: CreateRequestBody, response: { 201: WaitingRequestDetail } },
    onRequest: regulator
  }, async (request, reply) => reply.status(201).send(await app.waitingList.create(actorOf(request), request.body)))

  app.get('/api/waiting-list', {
    schema: { tags: TAGS, summary: 'The requests (default: open), without patient data, each with the free slots that answer it', querystring: RequestQuery, response: { 200: RequestList } },
    onRequest: regulator
  }, async (request) => await app.waitingList.list(actorOf(request), request.query))

  app.get('/api/waiting-list/:id', {
    schema: { tags: TAGS, summary: 'One request with its patient (audited)', params: IdParams, response: { 200: WaitingRequestDetail } },
    onRequest: regulator
  }, async (request) => await app.waitingList.get(actorOf(request), request.params.id))

  app.post('/api/waiting-list/:id/claim', {
    schema: { tags: TAGS, summary: 'Take a request in hand (one regulator at a time; expires as a hold), holding a matching slot', params: IdParams, body: ClaimBody, response: { 200: ClaimResult } },
    onRequest: regulator
  }, async (request) => await app.waitingList.claim(actorOf(request), request.params.id, request.body))

  app.delete('/api/waiting-list/:id/claim', {
    schema: { tags: TAGS, summary: 'Give a claim back (and the hold of its slot)', params: IdParams, response: { 200: WaitingRequest } },
    onRequest: regulator
  }, async (request) => await app.waitingList.release(actorOf(request), request.params.id))

  app.post('/api/waiting-list/:id/booking', {
    schema: { tags: TAGS, summary: 'Book a slot for the request’s patient; the request ends as booked', params: IdParams, body: RequestBookingBody, response: { 200: z.object({ booking: Booking, request: WaitingRequest }), 201: z.object({ booking: Booking, request: WaitingRequest }) } },
    onRequest: regulator
  }, async (request, reply) => {
    const { booking, request: r, created } = await app.waitingList.book(actorOf(request), request.params.id, request.body)
    return reply.status(created ? 201 : 200).send({ booking, request: r })
  })

  app.post('/api/waiting-list/:id/withdrawal', {
    schema: { tags: TAGS, summary: 'The patient no longer needs it: the request ends as withdrawn', params: IdParams, body: WithdrawRequestBody, response: { 200: WaitingRequest } },
    onRequest: regulator
  }, async (request) => await app.waitingList.withdraw(actorOf(request), request.params.id, request.body.reason))
}

export default routes
