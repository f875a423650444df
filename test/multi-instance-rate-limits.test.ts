// Issue 10: rate limits shared by two instances on one PostgreSQL schema. Sign-in attempts (per
// address and e-mail, per address) and feed fetches spread over both instances are limited at
// the same total as on one; the count is kept hashed, and its rows go once their minute ends.
// PostgreSQL only (scripts/test.mjs runs it in the PostgreSQL pass alone).
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { ADMIN, build } from './helpers/build.js'
import { TEST_ENGINE } from './helpers/database.js'
import { territory } from './helpers/fixtures.js'

const ENV = { LOGIN_RATE_LIMIT: '4', LOGIN_ADDRESS_RATE_LIMIT: '20', FEED_RATE_LIMIT: '3', SESSION_HOURS: '2160' }

const signIn = async (app: FastifyInstance, email: string, password: string, remoteAddress: string): Promise<number> =>
  (await app.inject({ method: 'POST', url: '/api/session', payload: { email, password }, remoteAddress })).statusCode

if (TEST_ENGINE !== 'postgres') {
  t.plan(0, 'PostgreSQL only: two instances share the counts')
} else {
  t.test('attempts split across two instances are limited at the same total', async (t) => {
    const A = await build(t, ENV)
    const B = await build(t, ENV, undefined, { sameDatabaseAs: A })
    const apps = [A.app, B.app]
    const terr = await territory(A.app)

    // Per address and e-mail: 4 a minute, alternately on A and B.
    const codes: number[] = []
    for (let i = 0; i < 4; i++) codes.push(await signIn(apps[i % 2]!, ADMIN.email, `guess-${i}`, '192.0.2.7'))
    t.same(codes, [401, 401, 401, 401], 'four attempts are checked, two on each instance')
    t.equal(await signIn(A.app, ADMIN.email, ADMIN.password, '192.0.2.7'), 429, 'the fifth is refused on A')
    t.equal(await signIn(B.app, ADMIN.email, ADMIN.password, '192.0.2.7'), 429, 'and on B')
    t.equal(await signIn(B.app, ADMIN.email, ADMIN.password, '198.51.100.9'), 200, 'another address is not blocked')

    // Per address whatever the e-mail: 20 a minute.
    const spray: number[] = []
    for (let i = 0; i < 20; i++) spray.push(await signIn(apps[i % 2]!, `nobody${i}@cpts.test`, 'guess-guess', '192.0.2.8'))
    t.ok(spray.every((c) => c === 401), '20 attempts with 20 e-mails from one address, half on each instance, are checked')
    t.equal(await signIn(A.app, `nobody-else@cpts.test`, 'guess-guess', '192.0.2.8'), 429, 'the 21st is refused')

    // A feed: 3 fetches a minute whoever asks, on whichever instance.
    const feed = new URL((await A.app.inject({ method: 'GET', url: '/api/feed', headers: { cookie: terr.users.gp.cookie } })).json().url as string)
    const fetches: number[] = []
    for (let i = 0; i < 4; i++) fetches.push((await apps[i % 2]!.inject({ method: 'GET', url: feed.pathname })).statusCode)
    t.same(fetches, [200, 200, 200, 429], 'the fourth fetch of the minute is refused, the count shared')

    const rows = await A.db.selectFrom('rate_limits').selectAll().execute()
    t.ok(rows.length > 0, 'the counts are in the database')
    t.notMatch(JSON.stringify(rows), /192\.0\.2|cpts\.test|feeds/, 'hashed: no address, e-mail or feed address in the table')

    // The next minute: counting starts again, and the ended windows are purged.
    A.clock.advance(61_000)
    B.clock.advance(61_000)
    t.equal(await signIn(B.app, ADMIN.email, ADMIN.password, '192.0.2.7'), 200, 'a minute later the address and e-mail may try again')
    const ended = await A.db.selectFrom('rate_limits').select('window_start').where('expires_at', '<=', B.clock.now().toISOString()).execute()
    t.same(ended, [], 'the ended windows are purged')
  })
}
