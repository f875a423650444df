// Issue 21: a practitioner's places of consultation and CPTS, as the admin manages them. A
// place is added, edited, made the home place (the account's address follows it, and so do the
// practitioners' copy columns), archived; a practitioner joins and leaves CPTS. Refusals are
// coded and write nothing; every change is audited.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import { build, type HttpMethod } from './helpers/build.js'
import { countRows, practitionerProfile, territory } from './helpers/fixtures.js'

const TABLES = ['practitioner_places', 'cpts_memberships', 'practitioners', 'users', 'audit_log'] as const
const PORT = { label: 'Cabinet du port', address: '3 quai du Port', postalCode: '85800', commune: 'saint-gilles-croix-de-vie', structureId: '1850000011', phone: '02 51 55 11 22' }

async function call (app: FastifyInstance, cookie: string, method: HttpMethod, url: string, payload?: object) {
  return await app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload }) })
}

/** One slot published by the practitioner, an hour after the tests' start, at a place or to CPTS of theirs. */
async function publishAt (app: FastifyInstance, cookie: string, where: { placeId?: string, cptsIds?: string[] }): Promise<{ id: string }> {
  const res = await call(app, cookie, 'POST', '/api/slots', { start: '2026-06-01T09:00:00.000Z', end: '2026-06-01T09:15:00.000Z', kind: 'snp', mode: 'office', ...where })
  if (res.statusCode !== 201) throw new Error(`publish: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** The practitioner's copy columns and their home place, as stored: they must agree. */
async function copyAndHome (db: Kysely<Database>, id: string) {
  const copy = await db.selectFrom('practitioners').select(['address', 'postal_code', 'commune', 'commune_code', 'structure_id']).where('user_id', '=', id).executeTakeFirstOrThrow()
  const homes = await db.selectFrom('practitioner_places').select(['id', 'address', 'postal_code', 'commune', 'commune_code', 'structure_id'])
    .where('practitioner_id', '=', id).where('is_home', '=', 1).execute()
  return { copy, homes }
}

t.test('places: add, edit, make home, archive; the account and the copy columns follow the home place', async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const admin = terr.adminCookie
  const gp = terr.users.gp
  const url = `/api/users/${gp.id}/places`

  const first = (await call(app, admin, 'GET', url)).json().places
  t.match(first, [{ id: gp.id, home: true, commune: 'Saint-Jean-de-Monts', communeCode: '85234', phone: null }], 'one home place, with the account\'s id')

  const added = await call(app, admin, 'POST', url, PORT)
  t.equal(added.statusCode, 201, added.body)
  const port = added.json().place
  t.match(port, { label: 'Cabinet du port', commune: 'Saint-Gilles-Croix-de-Vie', communeCode: '85222', structureId: '1850000011', phone: '02 51 55 11 22', home: false })
  const givrand = (await call(app, admin, 'POST', url, { address: '1 route de Givrand', postalCode: '85800', commune: 'Givrand' })).json().place
  t.match(givrand, { label: 'Givrand', phone: null, structureId: null, home: false }, 'no label: the commune\'s name')

  const before = await countRows(app.db, TABLES)
  const refused = [
    ['POST', url, { ...PORT, label: 'cabinet DU  port' }, 400, 'label'],
    ['POST', url, { ...PORT, label: undefined, commune: 'Givrand' }, 400, 'label'],
    ['POST', url, { ...PORT, label: 'Autre', postalCode: '99999' }, 400, 'postalCode'],
    ['POST', url, { ...PORT, label: 'Autre', commune: 'Saint-Jean-de-Monts' }, 400, 'commune'],
    ['POST', url, { ...PORT, label: 'Autre', structureId: '12' }, 400, 'structureId'],
    ['PATCH', `${url}/${port.id}`, { label: 'Givrand' }, 400, 'label'],
    ['PATCH', `${url}/${port.id}`, {}, 400, undefined],
    ['PATCH', `${url}/no-such-place`, { label: 'X' }, 404, undefined],
    ['PATCH', `/api/users/${terr.users.gp2.id}/places/${port.id}`, { label: 'X' }, 404, undefined],
    ['POST', `/api/users/${terr.users.regulator.id}/places`, PORT, 404, undefined],
    ['DELETE', `${url}/${gp.id}`, undefined, 409, 'placeId']
  ] as const
  for (const [method, u, body, status, path] of refused) {
    const res = await call(app, admin, method, u, body)
    t.equal(res.statusCode, status, `${method} ${JSON.stringify(body)} → ${status}`)
    if (path !== undefined) t.ok(res.json().details.some((d: any) => d.path.join('.') === path), `names ${path}`)
  }
  t.equal((await call(app, admin, 'POST', url, { ...PORT, label: 'Autre', commune: 'Saint-Jean-de-Monts' })).json().details[0].communes.length > 0, true, 'a commune not served: the postal code\'s are named')
  t.equal((await call(app, admin, 'DELETE', `${url}/${gp.id}`)).json().code, 'PLACE_IN_USE', 'the home place cannot be archived')
  t.same(await countRows(app.db, TABLES), before, 'refusals wrote nothing')

  const edited = await call(app, admin, 'PATCH', `${url}/${port.id}`, { address: '5 quai du Port', phone: null })
  t.equal(edited.statusCode, 200, edited.body)
  t.match(edited.json().place, { address: '5 quai du Port', phone: null, label: 'Cabinet du port' })
  t.match(await copyAndHome(db, gp.id), { copy: { address: '1 rue de la Plage', commune_code: '85234' } }, 'editing another place leaves the copy alone')

  const home = await call(app, admin, 'PATCH', `${url}/${port.id}`, { home: true })
  t.equal(home.statusCode, 200, home.body)
  t.equal(home.json().place.home, true)
  const { copy, homes } = await copyAndHome(db, gp.id)
  t.equal(homes.length, 1, 'one home place')
  t.same(copy, { address: '5 quai du Port', postal_code: '85800', commune: 'Saint-Gilles-Croix-de-Vie', commune_code: '85222', structure_id: '1850000011' }, 'the copy columns are the new home place\'s')
  const view = (await call(app, admin, 'GET', '/api/users')).json().find((u: any) => u.id === gp.id)
  t.match(view.practitioner, { address: '5 quai du Port', postalCode: '85800', commune: 'Saint-Gilles-Croix-de-Vie', communeCode: '85222', structureId: '1850000011', phone: '02 51 58 00 01' }, 'the account shows its home place')
  t.same(view.practitioner.places.map((p: any) => [p.label, p.home]), [['Cabinet du port', true], ['Givrand', false], ['Saint-Jean-de-Monts', false]], 'places: the home one first, then by name')

  // The account's own edit of its address edits the home place (now the port), and its copy.
  const moved = await call(app, admin, 'PATCH', `/api/users/${gp.id}`, { practitioner: { address: '7 quai du Port', structureId: null } })
  t.equal(moved.statusCode, 200, moved.body)
  t.match(moved.json().user.practitioner.places[0], { id: port.id, address: '7 quai du Port', structureId: null, home: true })
  t.notOk('structureId' in moved.json().user.practitioner, 'no IdNat_Struct any more')
  t.match(await copyAndHome(db, gp.id), { copy: { address: '7 quai du Port', structure_id: null } })

  // The former home place, named after its commune, follows its commune when it moves.
  const monts = await call(app, admin, 'PATCH', `${url}/${gp.id}`, { postalCode: '85270', commune: 'Saint-Hilaire-de-Riez' })
  t.match(monts.json().place, { label: 'Saint-Hilaire-de-Riez', commune: 'Saint-Hilaire-de-Riez', home: false })

  t.equal((await call(app, admin, 'DELETE', `${url}/${givrand.id}`)).statusCode, 204, 'a place without slots is archived')
  t.same((await call(app, admin, 'GET', url)).json().places.map((p: any) => p.id), [port.id, gp.id], 'and no longer listed')
  t.equal((await call(app, admin, 'PATCH', `${url}/${givrand.id}`, { label: 'X' })).statusCode, 404, 'nor edited')
  t.equal((await call(app, admin, 'DELETE', `${url}/${givrand.id}`)).statusCode, 404, 'nor archived twice')
  const again = await call(app, admin, 'POST', url, { address: '2 route de Givrand', postalCode: '85800', commune: 'Givrand' })
  t.equal(again.statusCode, 201, 'an archived place\'s label is free again')

  const audit = (await call(app, admin, 'GET', '/api/audit?limit=100')).json().entries
  const of = (action: string) => audit.filter((e: any) => e.action === action && e.subjectId === gp.id)
  t.equal(of('place.create').length, 3)
  t.match(of('place.create').find((e: any) => e.detail.placeId === port.id), { detail: { label: 'Cabinet du port', home: false }, ip: '127.0.0.1' })
  t.ok(of('place.update').some((e: any) => e.detail.placeId === port.id && e.detail.fields.includes('home')), 'the home switch')
  t.match(of('place.archive'), [{ detail: { placeId: givrand.id, label: 'Givrand' } }])
})

t.test('a place with slots still to come is not archived; who may read and change places', async (t) => {
  const { app, db, clock } = await build(t)
  const terr = await territory(app)
  const admin = terr.adminCookie
  const gp = terr.users.gp
  const url = `/api/users/${gp.id}/places`
  const port = (await call(app, admin, 'POST', url, PORT)).json().place
  const slot = await publishAt(app, gp.cookie, { placeId: port.id })

  const refused = await call(app, admin, 'DELETE', `${url}/${port.id}`)
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { code: 'PLACE_IN_USE', details: [{ path: ['placeId'], slots: 1 }] })
  clock.set('2026-06-01T09:15:00.000Z')
  t.equal((await call(app, admin, 'DELETE', `${url}/${port.id}`)).statusCode, 204, 'once the slot has ended, it can be')
  t.equal((await db.selectFrom('slots').select('place_id').where('id', '=', slot.id).executeTakeFirstOrThrow()).place_id, port.id, 'the past slot keeps its place')
  const atArchived = await call(app, gp.cookie, 'POST', '/api/slots', { start: '2026-06-02T09:00:00.000Z', end: '2026-06-02T09:15:00.000Z', kind: 'snp', mode: 'office', placeId: port.id })
  t.equal(atArchived.statusCode, 400, 'no new slot at an archived place')
  t.same(atArchived.json().details.map((d: any) => d.path.join('.')), ['placeId'])

  t.equal((await call(app, gp.cookie, 'GET', url)).statusCode, 200, 'a practitioner reads their own places')
  t.equal((await call(app, terr.users.gp2.cookie, 'GET', url)).statusCode, 403, 'not another\'s')
  for (const who of [gp, terr.users.regulator, terr.users.board]) {
    t.equal((await call(app, who.cookie, 'POST', url, { ...PORT, label: 'Ailleurs' })).statusCode, 403, 'only the admin adds a place')
    t.equal((await call(app, who.cookie, 'PUT', `/api/users/${gp.id}/cpts`, { cptsIds: [terr.cpts[0]!.id], homeCptsId: terr.cpts[0]!.id })).statusCode, 403, 'and sets the CPTS')
  }
  t.equal((await call(app, terr.users.regulator.cookie, 'GET', url)).statusCode, 403)
  t.equal((await app.inject({ method: 'GET', url })).statusCode, 401)
})

t.test('CPTS memberships: join, change the home CPTS, leave unless slots to come are offered there', async (t) => {
  const { app, db, clock } = await build(t)
  const terr = await territory(app)
  const admin = terr.adminCookie
  const gp = terr.users.gp
  const [lumiere, monts] = [terr.cpts[0]!.id, terr.cpts[1]!.id]
  const url = `/api/users/${gp.id}/cpts`

  t.same((await call(app, admin, 'GET', '/api/users')).json().find((u: any) => u.id === gp.id).cptsIds, [lumiere], 'one membership at first')
  const joined = await call(app, admin, 'PUT', url, { cptsIds: [monts, lumiere], homeCptsId: lumiere })
  t.equal(joined.statusCode, 200, joined.body)
  t.match(joined.json().user, { cptsId: lumiere, cptsIds: [lumiere, monts] }, 'the home CPTS first')

  const before = await countRows(app.db, TABLES)
  const refused = [
    [{ cptsIds: [lumiere, 'no-such-cpts'], homeCptsId: lumiere }, 400, 'cptsIds.1'],
    [{ cptsIds: [lumiere], homeCptsId: monts }, 400, 'homeCptsId'],
    [{ cptsIds: [lumiere, lumiere], homeCptsId: lumiere }, 400, 'cptsIds.1'],
    [{ cptsIds: [], homeCptsId: lumiere }, 400, 'cptsIds']
  ] as const
  for (const [body, status, path] of refused) {
    const res = await call(app, admin, 'PUT', url, body)
    t.equal(res.statusCode, status, `${JSON.stringify(body)} → ${status}`)
    t.ok(res.json().details.some((d: any) => d.path.join('.') === path), `names ${path}`)
  }
  t.equal((await call(app, admin, 'PUT', `/api/users/${terr.users.board.id}/cpts`, { cptsIds: [lumiere], homeCptsId: lumiere })).statusCode, 404, 'a board account has no memberships')

  // A slot still to come offered to both: Lumière its own CPTS (the home one), Pays de Monts an extra.
  await publishAt(app, gp.cookie, { cptsIds: [lumiere, monts] })
  const leave = await call(app, admin, 'PUT', url, { cptsIds: [lumiere], homeCptsId: lumiere })
  t.equal(leave.statusCode, 409)
  t.match(leave.json(), { code: 'MEMBERSHIP_IN_USE', details: [{ path: ['cptsIds'], cptsId: monts, slots: 1 }] })
  t.same(await countRows(app.db, TABLES), before, 'refusals wrote nothing')

  const moved = await call(app, admin, 'PUT', url, { cptsIds: [lumiere, monts], homeCptsId: monts })
  t.match(moved.json().user, { cptsId: monts, cptsIds: [monts, lumiere] }, 'the home CPTS changes')
  t.equal((await call(app, gp.cookie, 'GET', '/api/me')).json().user.cptsId, monts, 'the session follows')
  t.equal((await call(app, admin, 'PUT', url, { cptsIds: [monts], homeCptsId: monts })).json().code, 'MEMBERSHIP_IN_USE', 'the slot is still offered to its own CPTS, Lumière')

  clock.set('2026-06-01T09:15:00.000Z')
  const left = await call(app, admin, 'PUT', url, { cptsIds: [monts], homeCptsId: monts })
  t.equal(left.statusCode, 200, 'once the slot has ended, both may be left')
  t.same(left.json().user.cptsIds, [monts])
  const toLeft = await call(app, gp.cookie, 'POST', '/api/slots', { start: '2026-06-01T10:00:00.000Z', end: '2026-06-01T10:15:00.000Z', kind: 'snp', mode: 'office', cptsIds: [lumiere] })
  t.equal(toLeft.statusCode, 400, 'no new slot offered to a CPTS left')
  t.same((await db.selectFrom('cpts_memberships').select('cpts_id').where('practitioner_id', '=', gp.id).execute()).map((r) => r.cpts_id), [monts])

  const audit = (await call(app, admin, 'GET', '/api/audit?action=practitioner.cpts')).json().entries
  t.equal(audit.length, 3, 'each change audited, the refusals not')
  t.match(audit.find((e: any) => e.detail.removed.length > 0), { subjectId: gp.id, detail: { added: [], removed: [lumiere], homeCptsId: monts, homeChanged: false } })
})

t.test('an account created with other CPTS is a member of each, its own CPTS the home one', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const [lumiere, monts] = [terr.cpts[0]!.id, terr.cpts[1]!.id]
  const body = {
    email: 'multi@cpts.test', name: 'Dr Multi', password: 'correct-horse-battery', role: 'practitioner', cptsId: monts, cptsIds: [lumiere],
    practitioner: practitionerProfile(50)
  }
  const before = await countRows(app.db, TABLES)
  for (const [cptsIds, path] of [[['no-such-cpts'], 'cptsIds.0'], [[monts], 'cptsIds.0']] as const) {
    const res = await call(app, terr.adminCookie, 'POST', '/api/users', { ...body, cptsIds })
    t.equal(res.statusCode, 400, `${JSON.stringify(cptsIds)} refused`)
    t.ok(res.json().details.some((d: any) => d.path.join('.') === path), `names ${path}`)
  }
  const regulator = await call(app, terr.adminCookie, 'POST', '/api/users', { email: 'r@cpts.test', name: 'R', password: 'correct-horse-battery', role: 'regulator', cptsIds: [lumiere] })
  t.equal(regulator.statusCode, 400, 'only a practitioner has other CPTS')
  t.same(await countRows(app.db, TABLES), before, 'refusals wrote nothing')

  const res = await call(app, terr.adminCookie, 'POST', '/api/users', body)
  t.equal(res.statusCode, 201, res.body)
  const user = res.json().user
  t.match(user, { cptsId: monts, cptsIds: [monts, lumiere], practitioner: { places: [{ id: user.id, home: true, label: 'Saint-Jean-de-Monts' }] } })
})
