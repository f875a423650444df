// Issue 21 (places, M0): an account's practice is its home place, kept in step with the
// practitioner's profile, and every slot is published at a place.
import t from 'tap'
import { build } from './helpers/build.js'
import { publishSlot, territory } from './helpers/fixtures.js'
import { TEST_ENGINE } from './helpers/database.js'

t.test(`a new practitioner's home place and CPTS; an edit of the practice moves both (${TEST_ENGINE})`, async (t) => {
  const { app, db } = await build(t)
  const terr = await territory(app)
  const gp = terr.users.gp

  const places = await db.selectFrom('practitioner_places').selectAll().where('practitioner_id', '=', gp.id).execute()
  t.equal(places.length, 1, 'one place')
  t.match(places[0], { id: gp.id, is_home: 1, address: '1 rue de la Plage', postal_code: '85160', commune: 'Saint-Jean-de-Monts', commune_code: '85234', archived_at: null },
    'the home place is the practice, under the account\'s id')
  t.same(await db.selectFrom('cpts_memberships').select('cpts_id').where('practitioner_id', '=', gp.id).execute(), [{ cpts_id: terr.cpts[0]!.id }], 'a member of its CPTS')
  t.same(await db.selectFrom('cpts_memberships').select('cpts_id').where('practitioner_id', '=', terr.users.regulator.id).execute(), [], 'a regulator belongs to no CPTS')

  const res = await app.inject({
    method: 'PATCH', url: `/api/users/${gp.id}`, headers: { cookie: terr.adminCookie },
    payload: { practitioner: { address: '4 avenue de la Mer', postalCode: '85300', commune: 'Challans', structureId: '1850000001' } }
  })
  t.equal(res.statusCode, 200, res.body)
  t.match(await db.selectFrom('practitioner_places').selectAll().where('id', '=', gp.id).executeTakeFirstOrThrow(),
    { address: '4 avenue de la Mer', postal_code: '85300', commune: 'Challans', commune_code: '85047', structure_id: '1850000001' },
    'the home place follows the edited practice')

  const slot = await publishSlot(app, gp.cookie, '2026-06-02T08:00:00.000Z', '2026-06-02T08:20:00.000Z')
  t.equal((await db.selectFrom('slots').select('place_id').where('id', '=', slot.id).executeTakeFirstOrThrow()).place_id, gp.id, 'a slot is published at the home place')
})
