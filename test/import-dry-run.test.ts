// Issue 14, Admin: the "Import de saison" panel previews a file before importing it. A dry run
// runs every check of the import (the calendar's overlaps too) and writes nothing.
import t from 'tap'
import { build } from './helpers/build.js'
import { countRows, territory } from './helpers/fixtures.js'

const NOW = '2020-09-15T08:00:00.000Z'
const HEADER = 'rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp'
const TABLES = ['slots', 'bookings', 'events', 'audit_log'] as const

t.test('dry run, then import', async (t) => {
  const { app, db } = await build(t, {}, NOW)
  const terr = await territory(app)
  const gp = terr.users.gp.rpps ?? ''
  const csv = [
    HEADER,
    `${gp},2020-07-13T12:00:00+02:00,2020-07-13T12:15:00+02:00,snp,office,,2020-07-13T08:00:00Z,honored,no`,
    `${gp},2020-07-13T12:15:00+02:00,2020-07-13T12:30:00+02:00,snp,office,,,,`
  ].join('\n')
  const send = async (query: string, payload: string, cookie = terr.adminCookie) =>
    await app.inject({ method: 'POST', url: `/api/import/season${query}`, headers: { cookie, 'content-type': 'text/csv' }, payload })

  const before = await countRows(db, TABLES)
  const dry = await send('?dryRun=true', csv)
  t.equal(dry.statusCode, 200)
  t.same(dry.json(), { slots: 2, bookings: 1, dryRun: true }, 'what the import would write')
  t.same(await countRows(db, TABLES), before, 'nothing written, not even an audit entry')

  const bad = await send('?dryRun=true', csv + `\n${gp},2020-07-14T12:00:00+02:00,2020-07-14T11:00:00+02:00,snp,office,,,,`)
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { code: 'IMPORT_INVALID', errors: [{ line: 4, message: /end must be after start/ }] })
  t.equal((await send('?dryRun=maybe', csv)).statusCode, 400, 'dryRun is true or false')
  t.equal((await send('?dryRun=true', csv, terr.users.board.cookie)).statusCode, 403, 'admins only, dry run or not')
  t.same(await countRows(db, TABLES), before)

  const real = await send('?dryRun=false', csv)
  t.equal(real.statusCode, 201)
  t.same(real.json(), { slots: 2, bookings: 1 })
  const again = await send('?dryRun=true', csv)
  t.equal(again.statusCode, 400, 'a dry run of the same file finds it in the calendar')
  t.match(again.json().errors, [{ line: 2, message: /imported before/ }, { line: 3, message: /imported before/ }])
})
