import t from 'tap'
import { hashPassword, verifyPassword } from '../server/lib/password.js'

// scrypt runs at most as many at once as there are cores (32 MiB each): the others wait their
// turn, and a failing one (bad stored parameters) passes its turn on like any other.
t.test('many hashes and checks at once all finish, failures included', async (t) => {
  const bad = 'scrypt$1000$8$1$c2FsdA$a2V5'
  const hashes = await Promise.all(Array.from({ length: 6 }, async (_, i) => await hashPassword(`password-${i}`)))
  const checks = await Promise.allSettled([
    ...hashes.map(async (h, i) => await verifyPassword(`password-${i}`, h)),
    ...hashes.map(async (h) => await verifyPassword('wrong', h)),
    verifyPassword('x', bad), verifyPassword('y', bad)
  ])
  t.same(checks.slice(0, 12).map((c) => c.status === 'fulfilled' ? c.value : c.reason), [...hashes.map(() => true), ...hashes.map(() => false)])
  t.ok(checks.slice(12).every((c) => c.status === 'rejected'), 'N not a power of 2: refused by scrypt')
  t.equal(await verifyPassword('password-0', hashes[0]!), true, 'and the queue still runs after them')
})
