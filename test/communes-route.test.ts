// GET /api/communes ranks the asker's territory first: the communes where the practitioners of
// their CPTS (of every CPTS for a regulator) practise, at any of their places (issue 21), then
// their départements.
import t from 'tap'
import { build } from './helpers/build.js'
import { territory } from './helpers/fixtures.js'

t.test('the territory of the practitioners comes first, and each answer says where it lies', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app) // every practitioner in Saint-Jean-de-Monts (85)
  const search = async (cookie: string, q: string): Promise<Array<{ code: string, name: string, territory: string }>> => {
    const res = await app.inject({ method: 'GET', url: `/api/communes?q=${encodeURIComponent(q)}&limit=8`, headers: { cookie } })
    t.equal(res.statusCode, 200, q)
    return res.json()
  }
  const regulator = terr.users.regulator.cookie
  for (const q of ['Saint-Gil', 'st gilles', 'Saint-Gilles']) {
    const found = await search(regulator, q)
    t.equal(found[0]?.name, 'Saint-Gilles-Croix-de-Vie', `"${q}": Saint-Gilles-Croix-de-Vie first`)
    t.equal(found[0]?.territory, 'departement')
    t.ok(found.slice(1).every((c) => c.territory === 'outside'), 'the others are outside the territory')
  }
  const sjdm = await search(regulator, 'saint jean de monts')
  t.same(sjdm[0], { ...sjdm[0], code: '85234', territory: 'cpts' }, 'a commune of its practitioners is the CPTS\'s')
  t.equal((await search(regulator, 'Sables'))[0]?.name, 'Les Sables-d\'Olonne')

  // An instance whose practitioners are all gone has no territory: everything is outside.
  await app.db.updateTable('users').set({ disabled_at: '2026-01-01T00:00:00.000Z' }).where('role', '=', 'practitioner').execute()
  const none = await search(regulator, 'saint jean de monts')
  t.equal(none[0]?.territory, 'outside', 'no active practitioner: no territory')

  const short = await app.inject({ method: 'GET', url: '/api/communes?q=s', headers: { cookie: regulator } })
  t.equal(short.statusCode, 400, 'one letter is refused')
})

t.test('a CPTS\'s territory: every active place of its members, a second place counted only once its practitioner is a member', async (t) => {
  const { app } = await build(t)
  const terr = await territory(app)
  const admin = terr.adminCookie
  const gp = terr.users.gp
  const [lumiere, monts] = [terr.cpts[0]!.id, terr.cpts[1]!.id]
  // Asked by a practitioner of Pays de Monts (gp2, in Saint-Jean-de-Monts) and by Lumière's board.
  const levelFor = async (cookie: string): Promise<string | undefined> => {
    const res = await app.inject({ method: 'GET', url: '/api/communes?q=saint gilles croix&limit=3', headers: { cookie } })
    return res.json().find((c: any) => c.code === '85222')?.territory
  }
  t.equal(await levelFor(terr.users.gp2.cookie), 'departement', 'Saint-Gilles-Croix-de-Vie: no practitioner of Monts there')

  const place = await app.inject({ method: 'POST', url: `/api/users/${gp.id}/places`, headers: { cookie: admin }, payload: { address: '3 quai du Port', postalCode: '85800', commune: 'Saint-Gilles-Croix-de-Vie' } })
  t.equal(place.statusCode, 201, place.body)
  t.equal(await levelFor(terr.users.board.cookie), 'cpts', 'Lumière: its member GP\'s second place')
  t.equal(await levelFor(terr.users.gp2.cookie), 'departement', 'Monts: that GP is not a member')

  const joined = await app.inject({ method: 'PUT', url: `/api/users/${gp.id}/cpts`, headers: { cookie: admin }, payload: { cptsIds: [lumiere, monts], homeCptsId: lumiere } })
  t.equal(joined.statusCode, 200, joined.body)
  t.equal(await levelFor(terr.users.gp2.cookie), 'cpts', 'Monts: now a member, their places count')

  await app.inject({ method: 'DELETE', url: `/api/users/${gp.id}/places/${place.json().place.id as string}`, headers: { cookie: admin } })
  t.equal(await levelFor(terr.users.gp2.cookie), 'departement', 'an archived place does not count')
})
